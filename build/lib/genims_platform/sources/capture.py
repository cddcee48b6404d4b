"""Change capture on the source databases: the outbox the audit sensor reads.

`install_capture` applies `sql/source/capture.sql` to one source database and puts the capture
triggers on the tables `AUDITED_TABLES` names. Every change to an audited table then writes one
row per changed row into `genims.outbox` in the same transaction (or the change is refused), DDL
is recorded by an event trigger, and the machinery refuses to be dropped, altered or disabled
unless `genims.capture_maintenance` is on. The design, its measured cost and its failure
behaviour are in `docs/change_capture.md`.

Like the source contract, the install is recorded with its SHA-256 in `genims.contract_versions`
(contract name ``capture:<logical>``): a rerun with nothing changed and nothing broken executes
no DDL at all; a broken install (a dropped trigger, a missing outbox) is repaired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import psycopg

from genims_platform.catalog import check_source
from genims_platform.lib import pg
from genims_platform.lib.errors import CaptureError, first_line
from genims_platform.lib.sqlfiles import load_sql, sha256_text
from genims_platform.settings import Settings
from genims_platform.sources.contract import LEDGER

ALL_TABLES = "*"
"""In `AUDITED_TABLES`: every table of the database's `public` schema, as it exists at install."""

# Audited at least (SPEC §2): all customer data (crm, master customers), all financial data
# (erp, financial), all personnel data (hr), all supplier data, and the configuration table of
# every database; master data that every module points at is audited too.
_MASTER_DATA = (
    "customers",
    "suppliers",
    "app_users",
    "factories",
    "production_lines",
    "machines",
    "products",
    "materials",
    "warehouses",
    "cost_centers",
)
AUDITED_TABLES: Mapping[str, tuple[str, ...]] = {
    # user_login_events feeds user_activity_log and security_event_log (genims_platform.audit).
    "master": ("module_settings", *_MASTER_DATA, "user_login_events"),
    "operations": ("module_settings", "scada_points"),
    "manufacturing": ("module_settings",),
    "maintenance": ("module_settings",),
    "quality": ("module_settings",),
    "erp": (ALL_TABLES,),
    "financial": (ALL_TABLES,),
    "wms": ("module_settings",),
    "tms": ("module_settings",),
    "crm": (ALL_TABLES,),
    "service": ("module_settings",),
    "hr": (ALL_TABLES,),
    "supplier": (ALL_TABLES,),
}

CAPTURE_TRIGGERS = (
    "genims_capture_ins",
    "genims_capture_upd",
    "genims_capture_del",
    "genims_capture_trunc",
)
OUTBOX_COLUMNS = (
    "event_id",
    "txid",
    "tx_ts",
    "stmt_ts",
    "captured_at",
    "db_user",
    "app_name",
    "client_addr",
    "actor",
    "schema_name",
    "table_name",
    "operation",
    "pk",
    "old_row",
    "new_row",
)
EVENT_TRIGGERS = (
    "genims_capture_ddl",
    "genims_capture_drop_guard",
    "genims_capture_drop_record",
)

_LOCK = "SELECT pg_advisory_xact_lock(hashtext('genims_contract'))"

_PUBLIC_TABLES = """
SELECT c.oid, c.relname
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""

# Per table: primary-key columns and the capture triggers on it (name, enabled, arguments).
_TABLE_STATE = """
SELECT c.oid, c.relname,
       (SELECT array_agg(a.attname::text ORDER BY k.ord)
        FROM pg_index AS i
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
       coalesce((SELECT array_agg(t.tgname::text ORDER BY t.tgname)
                 FROM pg_trigger AS t
                 WHERE t.tgrelid = c.oid
                   AND t.tgfoid = to_regprocedure('genims.capture_change()')), '{}') AS names,
       coalesce((SELECT array_agg(t.tgenabled::text ORDER BY t.tgname)
                 FROM pg_trigger AS t
                 WHERE t.tgrelid = c.oid
                   AND t.tgfoid = to_regprocedure('genims.capture_change()')), '{}') AS enabled,
       coalesce((SELECT array_agg(encode(t.tgargs, 'escape') ORDER BY t.tgname)
                 FROM pg_trigger AS t
                 WHERE t.tgrelid = c.oid
                   AND t.tgfoid = to_regprocedure('genims.capture_change()')), '{}') AS args
FROM pg_class AS c
WHERE c.oid = ANY(%s)
   OR c.oid IN (SELECT tgrelid FROM pg_trigger
                WHERE tgfoid = to_regprocedure('genims.capture_change()'))
ORDER BY c.relname
"""

# What the outbox needs besides existing: columns, key, check, consumer index, append-only guard.
_OUTBOX_STATE = """
SELECT coalesce((SELECT array_agg(a.attname::text) FROM pg_attribute AS a
                 WHERE a.attrelid = o.oid AND a.attnum > 0 AND NOT a.attisdropped), '{}'),
       coalesce((SELECT array_agg(k.conname::text) FROM pg_constraint AS k
                 WHERE k.conrelid = o.oid), '{}'),
       EXISTS (SELECT FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
               WHERE i.indrelid = o.oid AND c.relname = 'outbox_txid_event_id_idx'),
       EXISTS (SELECT FROM pg_trigger AS t
               WHERE t.tgrelid = o.oid AND t.tgname = 'genims_capture_outbox_guard'
                 AND t.tgenabled = 'A')
FROM (SELECT to_regclass('genims.outbox') AS oid) AS o
WHERE o.oid IS NOT NULL
"""

# Everything the install defines, with object ids, so "nothing changed" is checked, not assumed.
_FINGERPRINT = """
WITH ns AS (SELECT to_regnamespace('genims') AS oid)
SELECT coalesce(md5(string_agg(item, E'\\n' ORDER BY item)), '')
FROM (
    SELECT format('proc %s %s %s', p.oid, p.oid::regprocedure, md5(pg_get_functiondef(p.oid)))
    FROM pg_proc AS p, ns WHERE p.pronamespace = ns.oid AND p.prokind IN ('f', 'p')
    UNION ALL
    SELECT format('rel %s %s %s %s %s', c.oid, c.relname, c.relkind, c.relacl,
                  (SELECT string_agg(format('%s:%s:%s:%s', a.attname,
                                            format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                            pg_get_expr(d.adbin, d.adrelid)), ',' ORDER BY a.attnum)
                   FROM pg_attribute AS a
                   LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
    FROM pg_class AS c, ns
    WHERE c.relnamespace = ns.oid AND c.relname NOT LIKE 'contract\\_versions%'
    UNION ALL
    SELECT format('view %s %s', c.oid, pg_get_viewdef(c.oid))
    FROM pg_class AS c, ns WHERE c.relnamespace = ns.oid AND c.relkind = 'v'
    UNION ALL
    SELECT format('con %s %s %s', k.oid, k.conname, pg_get_constraintdef(k.oid))
    FROM pg_constraint AS k, ns
    WHERE k.connamespace = ns.oid AND k.conname NOT LIKE 'contract\\_versions%'
    UNION ALL
    SELECT format('trigger %s %s %s', t.oid, pg_get_triggerdef(t.oid), t.tgenabled)
    FROM pg_trigger AS t
    JOIN pg_proc AS p ON p.oid = t.tgfoid, ns
    WHERE p.pronamespace = ns.oid
    UNION ALL
    SELECT format('event %s %s %s %s', e.oid, e.evtname, e.evtevent, e.evtenabled)
    FROM pg_event_trigger AS e WHERE e.evtname LIKE 'genims\\_capture\\_%'
) AS items(item)
"""


@dataclass(frozen=True)
class CaptureReport:
    """What `install_capture` found and did on one source database."""

    logical: str
    database: str
    audited_tables: list[str]
    changed: bool
    state: str = "unchanged"
    ddl_capture: bool = True
    repaired: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for `genims db init`, e.g. ``12 audited tables, installed``."""
        count = len(self.audited_tables)
        text = f"{count} audited table{'' if count == 1 else 's'}, {self.state}"
        if self.repaired:
            text += f" ({len(self.repaired)} problem(s) fixed)"
        if not self.ddl_capture:
            text += "; DDL capture unavailable (event triggers need a superuser)"
        return text


def audited_tables(logical: str, existing: Iterable[str]) -> list[str]:
    """The audited tables of one database, resolved against the tables that exist.

    Raises `CaptureError` when a table named in `AUDITED_TABLES` does not exist (the source
    contract has not been applied, or it dropped an audited table).
    """
    check_source(logical)
    present = sorted(set(existing))
    scope = AUDITED_TABLES[logical]
    if ALL_TABLES in scope:
        return present
    missing = [name for name in scope if name not in present]
    if missing:
        raise CaptureError(
            f"cannot install change capture on source {logical!r}: audited table(s) "
            f"{', '.join(missing)} do not exist; apply the source contract first "
            "(`genims db init`)"
        )
    return sorted(scope)


def capture_sql() -> str:
    """The generic install script, the same for every database."""
    return load_sql("source", "capture.sql")


def install_capture(settings: Settings, logical: str, *, force: bool = False) -> CaptureReport:
    """Install, update or repair change capture on one source database (idempotent).

    Runs in one transaction under the advisory lock the source contract uses. With nothing to
    do (same script, same audited tables, nothing broken) and ``force`` off, no DDL runs.
    """
    check_source(logical)
    database = settings.source_db(logical)
    try:
        with pg.connect(settings.pg_primary, database, logical=logical) as conn:
            return _install(conn, logical, database, force=force)
    except psycopg.Error as exc:
        raise CaptureError(
            f"installing change capture on {database!r} (source {logical!r}) failed: "
            f"{first_line(exc)}"
        ) from None


def _install(
    conn: psycopg.Connection, logical: str, database: str, *, force: bool
) -> CaptureReport:
    conn.execute("SET LOCAL client_min_messages = warning")
    conn.execute(_LOCK)
    conn.execute(LEDGER)
    tables = dict(conn.execute(_PUBLIC_TABLES).fetchall())
    names = audited_tables(logical, tables.values())
    oids = [oid for oid, name in tables.items() if name in names]
    script = capture_sql()
    digest = sha256_text(script + "\n-- audited: " + ",".join(names))
    contract = f"capture:{logical}"
    row = conn.execute(
        "SELECT sha256 FROM genims.contract_versions WHERE contract = %s", (contract,)
    ).fetchone()
    superuser = _is_superuser(conn)
    problems = _problems(conn, oids, expect_ddl=superuser)
    if row and row[0] == digest and not problems and not force:
        return CaptureReport(logical, database, names, changed=False, ddl_capture=superuser)

    before = _fingerprint(conn)
    conn.execute("SELECT set_config('genims.capture_maintenance', 'on', true)")
    conn.execute(script)
    for oid in oids:
        conn.execute("SELECT genims.enable_capture(%s::oid::regclass)", (oid,))
    for oid in _captured_relations(conn):
        if oid not in oids:
            conn.execute("SELECT genims.disable_capture(%s::oid::regclass)", (oid,))
    remaining = _problems(conn, oids, expect_ddl=superuser)
    if remaining:
        raise CaptureError(
            f"change capture on {database!r} is still incomplete after install: "
            + "; ".join(remaining)
        )
    conn.execute(
        "INSERT INTO genims.contract_versions (contract, sha256) VALUES (%s, %s) "
        "ON CONFLICT (contract) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()",
        (contract, digest),
    )
    changed = _fingerprint(conn) != before
    if row is None:
        state = "installed"
    elif problems and changed:
        state = "repaired"
    elif changed:
        state = "updated"
    else:
        state = "unchanged"
    return CaptureReport(
        logical,
        database,
        names,
        changed=changed,
        state=state,
        ddl_capture=superuser,
        repaired=problems if state == "repaired" else [],
    )


def capture_status(settings: Settings, logical: str) -> dict:
    """The state of change capture on one source database, for health checks and the UI.

    Keys: ``logical``, ``database``, ``installed``, ``ddl_capture``, ``tables`` (one dict per
    audited table: ``table``, ``present``, ``triggers``, ``enabled``, ``pk``, ``ok``),
    ``problems`` (list of sentences; empty when healthy), ``outbox_rows_estimate`` and
    ``horizon`` (the xid8 below which outbox rows are final, as an int).
    """
    check_source(logical)
    database = settings.source_db(logical)
    with pg.connect(settings.pg_primary, database, logical=logical, autocommit=True) as conn:
        tables = dict(conn.execute(_PUBLIC_TABLES).fetchall())
        scope = AUDITED_TABLES[logical]
        wanted = sorted(tables.values()) if ALL_TABLES in scope else sorted(scope)
        oids = [oid for oid, name in tables.items() if name in wanted]
        superuser = _is_superuser(conn)
        state = {name: info for _, name, *info in _table_state(conn, oids)}
        installed = conn.execute(
            "SELECT to_regclass('genims.outbox') IS NOT NULL "
            "AND to_regprocedure('genims.capture_change()') IS NOT NULL"
        ).fetchone()[0]
        problems = [f"audited table {name} does not exist" for name in wanted if name not in state]
        problems += _problems(conn, oids, expect_ddl=superuser)
        ddl_capture = _event_triggers_ok(conn)
        estimate = horizon = None
        if installed:
            estimate, horizon = conn.execute(
                "SELECT coalesce(s.n_live_tup, greatest(c.reltuples, 0))::bigint, "
                "genims.outbox_horizon()::text "
                "FROM pg_class AS c LEFT JOIN pg_stat_user_tables AS s ON s.relid = c.oid "
                "WHERE c.oid = 'genims.outbox'::regclass"
            ).fetchone()
    rows = []
    for name in wanted:
        info = state.get(name)
        if info is None:
            rows.append(
                {
                    "table": name,
                    "present": False,
                    "triggers": 0,
                    "enabled": False,
                    "pk": None,
                    "ok": False,
                }
            )
            continue
        pk, triggers, enabled, _args = info
        rows.append(
            {
                "table": name,
                "present": True,
                "triggers": len(triggers),
                "enabled": bool(triggers) and all(flag == "O" for flag in enabled),
                "pk": pk,
                "ok": not _table_problems(name, pk, triggers, enabled, _args),
            }
        )
    return {
        "logical": logical,
        "database": database,
        "installed": bool(installed),
        "ddl_capture": ddl_capture,
        "tables": rows,
        "problems": problems,
        "outbox_rows_estimate": estimate,
        "horizon": int(horizon) if horizon is not None else None,
    }


def _is_superuser(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def _fingerprint(conn: psycopg.Connection) -> str:
    return conn.execute(_FINGERPRINT).fetchone()[0]


def _captured_relations(conn: psycopg.Connection) -> list[int]:
    rows = conn.execute(
        "SELECT DISTINCT tgrelid::oid FROM pg_trigger "
        "WHERE tgfoid = to_regprocedure('genims.capture_change()')"
    ).fetchall()
    return [oid for (oid,) in rows]


def _table_state(conn: psycopg.Connection, oids: Sequence[int]) -> list[tuple]:
    return conn.execute(_TABLE_STATE, (list(oids),)).fetchall()


def _event_triggers_ok(conn: psycopg.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_event_trigger WHERE evtname = ANY(%s) AND evtenabled = 'O'",
        (list(EVENT_TRIGGERS),),
    ).fetchone()
    return row[0] == len(EVENT_TRIGGERS)


def _table_problems(
    name: str,
    pk: list[str] | None,
    triggers: list[str],
    enabled: list[str],
    args: list[str],
) -> list[str]:
    if pk is None:
        return [f"{name} has no primary key"]
    problems = []
    missing = sorted(set(CAPTURE_TRIGGERS) - set(triggers))
    if missing:
        problems.append(f"{name} lacks capture trigger(s) {', '.join(missing)}")
    disabled = [t for t, flag in zip(triggers, enabled, strict=True) if flag != "O"]
    if disabled:
        problems.append(f"{name} has disabled capture trigger(s) {', '.join(disabled)}")
    # tgargs is the argument list, each argument NUL-terminated.
    expected = "".join(f"{column}\\000" for column in pk)
    stale = [t for t, a in zip(triggers, args, strict=True) if a != expected]
    if stale:
        problems.append(f"{name} capture trigger(s) {', '.join(stale)} name an old primary key")
    return problems


def _problems(conn: psycopg.Connection, oids: Sequence[int], *, expect_ddl: bool) -> list[str]:
    """Everything that keeps capture from being complete; an empty list means healthy."""
    problems = []
    outbox, function = conn.execute(
        "SELECT to_regclass('genims.outbox') IS NOT NULL, "
        "to_regprocedure('genims.capture_change()') IS NOT NULL"
    ).fetchone()
    if not outbox:
        problems.append("the outbox genims.outbox is missing")
    else:
        columns, constraints, index, guard = conn.execute(_OUTBOX_STATE).fetchone()
        missing = [c for c in OUTBOX_COLUMNS if c not in columns]
        if missing:
            # The installer cannot bring these back: see docs/change_capture.md, "Repair".
            problems.append(f"the outbox lacks column(s) {', '.join(missing)}")
        for name in ("outbox_pkey", "outbox_operation_check"):
            if name not in constraints:
                problems.append(f"the outbox lacks constraint {name}")
        if not index:
            problems.append("the outbox lacks its consumer index outbox_txid_event_id_idx")
        if not guard:
            problems.append("the outbox's append-only guard trigger is missing or not ALWAYS")
    if not function:
        problems.append("the capture function genims.capture_change() is missing")
    wanted = set(oids)
    for oid, name, pk, triggers, enabled, args in _table_state(conn, oids):
        if oid in wanted:
            problems.extend(_table_problems(name, pk, triggers, enabled, args))
        else:
            problems.append(f"{name} is captured but no longer listed in AUDITED_TABLES")
    if expect_ddl and not _event_triggers_ok(conn):
        problems.append("the DDL event triggers are missing or disabled")
    return problems
