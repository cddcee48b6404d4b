"""Kimball mechanics of the analytics warehouse, as write modes of the one table builder.

Tables only declare which mode they use and which columns play which part; everything below is
generic:

* `Type1Merge`: a dimension whose attributes are overwritten in place. Members are matched on
  their natural key, keep their surrogate key forever, and are never deleted (facts point at
  them); a new member gets the next free key.
* `Scd2Merge`: a dimension that keeps history. A change of a tracked attribute (detected by a
  SHA-256 hash of the tracked columns) closes the current version and opens the next one; the
  other attributes are corrected in every version of the member (type 1 inside type 2). A
  member that disappears from the source has its current version closed; one that comes back
  opens a new version. Intervals are half-open `[valid_from, valid_to)` in days: the version
  valid for a day is the one the member had at the end of that day.
* `ResolveKeys`: a fact's dimension keys. `prepare` fills every surrogate key in the staging
  table with a point-in-time join (the dimension version valid at the fact's business date),
  falling back to the unknown member (key 0); `publish` replaces the window and then repairs
  older rows whose keys went stale (late-arriving members, and versions closed after the fact
  was written).

Both dimension merges compute the complete next state of the dimension in the staging table
during `prepare`, so the data tests (grain, intervals, one current row per member) test exactly
what readers will see; `publish` then applies only the differences in one transaction, so the
`updated_at` of an untouched row keeps meaning "last changed". Rules for dates (see
docs/analytics.md): a change takes effect on the day of the source's change marker (the
transform returns it as `valid_from`), never before the start of the current version (a
back-dated change, or a second change on the same day, closes the current version as a
zero-length interval, kept for the record); a new member's first version starts at
1900-01-01 (history before the warehouse first saw it is represented by its first known
state); a deleted member's version ends on the day the deletion was noticed.
"""

# Statements are composed from identifiers of the declared catalogue only, always through
# quote_ident; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dagster as dg
import pymysql

from genims_platform.lib import checks
from genims_platform.lib.checks import CheckOutcome, Relation
from genims_platform.lib.errors import DataValidationError
from genims_platform.lib.keys import target_key
from genims_platform.lib.loader import UPDATED_AT, StagedLoad
from genims_platform.lib.mysql import quote_ident as q
from genims_platform.lib.tables import TableCheck, TableSpec
from genims_platform.lib.window import Window

UNKNOWN_KEY = 0
UNKNOWN_NATURAL_ID = -1
BEGINNING_OF_TIME = date(1900, 1, 1)
END_OF_TIME = date(9999, 12, 31)

VALID_FROM = "valid_from"
VALID_TO = "valid_to"
IS_CURRENT = "is_current"
VERSION = "version"
ROW_HASH = "row_hash"

SAMPLE = checks.SAMPLE


def _run(load: StagedLoad, statement: str, params: Sequence[Any] | None = None) -> int:
    """Execute one statement in the load's session; return the affected row count."""
    with load.conn.cursor() as cur:
        return int(cur.execute(statement, params))


def _scalar(load: StagedLoad, statement: str, params: Sequence[Any] | None = None) -> Any:
    rows, _ = load.query(statement, params)
    return rows[0][0] if rows else None


def _columns(spec: TableSpec) -> list[str]:
    return [c for c in spec.schema.column_names if c != UPDATED_AT]


def _match(left: str, right: str, columns: Sequence[str]) -> str:
    return " AND ".join(f"{left}.{q(c)} = {right}.{q(c)}" for c in columns)


TEXT_TYPES = {"CHAR", "VARCHAR", "TEXT", "MEDIUMTEXT", "LONGTEXT", "ENUM"}


def _same(spec: TableSpec, left: str, right: str, columns: Sequence[str]) -> str:
    """Null-safe equality of `columns` between two aliases. Text compares byte for byte: a
    change of case is a change, and the session-private staging table may carry the server's
    default collation rather than the table's."""
    parts = []
    for name in columns:
        text = spec.schema.column(name).base_type in TEXT_TYPES
        collate = " COLLATE utf8mb4_bin" if text else ""
        parts.append(f"{left}.{q(name)}{collate} <=> {right}.{q(name)}{collate}")
    return " AND ".join(parts)


def _hash(columns: Sequence[str], alias: str = "") -> str:
    """SHA-256 of the values of `columns`; JSON keeps NULL apart from '' and types apart."""
    prefix = f"{alias}." if alias else ""
    return f"SHA2(JSON_ARRAY({', '.join(prefix + q(c) for c in columns)}), 256)"


def _index(load: StagedLoad, table: str, columns: Sequence[str]) -> None:
    index = q(("ix_" + "_".join(columns))[:60])
    _run(load, f"ALTER TABLE {q(table)} ADD INDEX {index} ({', '.join(q(c) for c in columns)})")


def _take_incoming(load: StagedLoad, spec: TableSpec, natural_key: Sequence[str]) -> str:
    """Move the staged source rows into a table of their own and empty the staging table, which
    then receives the dimension's next state."""
    incoming = f"_in_{spec.name}"[:64]
    _run(load, f"DROP TEMPORARY TABLE IF EXISTS {q(incoming)}")
    _run(
        load,
        f"CREATE TEMPORARY TABLE {q(incoming)} ENGINE=InnoDB AS SELECT * FROM {q(load.staging)}",
    )
    _index(load, incoming, natural_key)
    _run(load, f"DELETE FROM {q(load.staging)}")
    return incoming


def _copy_current_state(load: StagedLoad, spec: TableSpec, keys: Sequence[str]) -> None:
    """The staging table starts as a copy of the published dimension (every version)."""
    columns = ", ".join(q(c) for c in _columns(spec))
    _run(load, f"INSERT INTO {q(load.staging)} ({columns}) SELECT {columns} FROM {q(spec.name)}")
    for key in keys:
        _index(load, load.staging, key)


def _check_natural_keys(load: StagedLoad, incoming: str, spec: TableSpec, nk: Sequence[str]):
    """Two source rows for one member would make the merge ambiguous: refuse them by name."""
    cols = ", ".join(q(c) for c in nk)
    rows, names = load.query(
        f"SELECT {cols}, COUNT(*) AS copies FROM {q(incoming)} GROUP BY {cols} "
        f"HAVING COUNT(*) > 1 OR {' OR '.join(q(c) + ' IS NULL' for c in nk)} LIMIT {SAMPLE}"
    )
    if rows:
        sample = checks.as_dicts(rows, names)
        raise DataValidationError(
            f"{spec.name}: the source returned duplicate or NULL natural keys "
            f"({', '.join(nk)}), e.g. {sample}; nothing was merged"
        )


def _next_keys(load: StagedLoad, spec: TableSpec, surrogate_key: str) -> int:
    """Keys are handed out after the largest key ever used, so they are never reused."""
    return int(_scalar(load, f"SELECT COALESCE(MAX({q(surrogate_key)}), 0) FROM {q(spec.name)}"))


def _apply_next_state(
    load: StagedLoad, spec: TableSpec, surrogate_key: str, now: datetime
) -> dict[str, Any]:
    """Make the published dimension equal to the staged next state, in one transaction,
    touching only rows that differ (so their `updated_at` says when they last changed)."""
    columns = _columns(spec)
    target, staging = q(spec.name), q(load.staging)
    sk = q(surrogate_key)
    others = [c for c in columns if c != surrogate_key]
    assign = ", ".join(f"t.{q(c)} = s.{q(c)}" for c in others)
    same = _same(spec, "t", "s", others)
    listed = ", ".join(q(c) for c in columns)
    stamp = now.astimezone(UTC).replace(tzinfo=None)
    try:
        load.conn.begin()
        updated = _run(
            load,
            f"UPDATE {target} t JOIN {staging} s ON t.{sk} = s.{sk} "
            f"SET {assign}, t.{q(UPDATED_AT)} = %s WHERE NOT ({same})",
            (stamp,),
        )
        inserted = _run(
            load,
            f"INSERT INTO {target} ({listed}, {q(UPDATED_AT)}) "
            f"SELECT {', '.join('s.' + q(c) for c in columns)}, %s FROM {staging} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{sk} = s.{sk})",
            (stamp,),
        )
        load.conn.commit()
    except pymysql.err.MySQLError as error:
        load.conn.rollback()
        raise DataValidationError(
            f"{spec.name}: merging the dimension failed and was rolled back; the published "
            f"rows are unchanged: {error.args[-1]}"
        ) from None
    total = int(_scalar(load, f"SELECT COUNT(*) FROM {staging}"))
    return {"rows_published": total, "rows_inserted": inserted, "rows_updated": updated}


@dataclass(frozen=True)
class UnknownMemberPresent:
    """Facts point at key 0 when their member is unknown; the row must exist (the migration
    creates it and the merges never touch it)."""

    surrogate_key: str
    name: str = "unknown_member_present"
    blocking: bool = True

    @property
    def description(self) -> str:
        return f"The unknown member ({self.surrogate_key} = {UNKNOWN_KEY}) exists exactly once."

    def run(self, spec: TableSpec, rel: Relation) -> CheckOutcome:
        rows, _ = rel.query(
            f"SELECT COUNT(*) FROM {q(rel.table)} WHERE ({rel.predicate}) "
            f"AND {q(self.surrogate_key)} = {UNKNOWN_KEY}",
            rel.params,
        )
        found = int(rows[0][0])
        offending = [] if found == 1 else [{self.surrogate_key: UNKNOWN_KEY, "rows": found}]
        return checks.outcome(
            self.name,
            0 if found == 1 else 1,
            offending,
            "unknown member present" if found == 1 else f"{found} unknown-member rows, not 1",
        )


@dataclass(frozen=True)
class NoOverlappingVersions:
    """The versions of a member, in version order, never overlap: each starts no earlier than
    the previous one ends, and none ends before it starts. A point-in-time lookup can then
    never match two versions."""

    natural_key: tuple[str, ...]
    name: str = "scd2_no_overlap"
    blocking: bool = True

    @property
    def description(self) -> str:
        return (
            f"Validity intervals [valid_from, valid_to) of the versions of one "
            f"{', '.join(self.natural_key)} never overlap."
        )

    def run(self, spec: TableSpec, rel: Relation) -> CheckOutcome:
        nk = ", ".join(q(c) for c in self.natural_key)
        body = (
            f"SELECT {nk}, {q(VERSION)}, {q(VALID_FROM)}, {q(VALID_TO)}, "
            f"LAG({q(VALID_TO)}) OVER (PARTITION BY {nk} ORDER BY {q(VERSION)}) "
            f"AS previous_valid_to FROM {q(rel.table)} WHERE {rel.predicate}"
        )
        bad = f"{q(VALID_TO)} < {q(VALID_FROM)} OR previous_valid_to > {q(VALID_FROM)}"
        rows, names = rel.query(
            f"SELECT * FROM ({body}) v WHERE {bad} ORDER BY {nk}, {q(VERSION)} LIMIT {SAMPLE}",
            rel.params,
        )
        count, _ = rel.query(f"SELECT COUNT(*) FROM ({body}) v WHERE {bad}", rel.params)
        failed = int(count[0][0])
        return checks.outcome(
            self.name,
            failed,
            checks.as_dicts(rows, names),
            f"{failed} version(s) overlap their predecessor" if failed else "no overlaps",
        )


@dataclass(frozen=True)
class OneCurrentVersion:
    """Exactly one current version per member, and it is the latest one and open-ended; none
    once the member was deleted from the source (its latest version is then closed)."""

    natural_key: tuple[str, ...]
    name: str = "scd2_one_current_row"
    blocking: bool = True

    @property
    def description(self) -> str:
        return (
            f"Exactly one current row (is_current = 1, valid_to = {END_OF_TIME}) per "
            f"{', '.join(self.natural_key)}, and it is the latest version; none for a member "
            "deleted from the source."
        )

    def run(self, spec: TableSpec, rel: Relation) -> CheckOutcome:
        nk = ", ".join(q(c) for c in self.natural_key)
        cur, to, ver = q(IS_CURRENT), q(VALID_TO), q(VERSION)
        body = (
            f"SELECT {nk}, COUNT(*) AS versions, SUM({cur} = 1) AS current_rows, "
            f"SUM({to} = '{END_OF_TIME}') AS open_rows, "
            f"SUM({cur} = 1 AND {to} <> '{END_OF_TIME}') AS closed_current_rows, "
            f"MAX({ver}) AS latest_version, MAX(CASE WHEN {cur} = 1 THEN {ver} END) "
            f"AS current_version FROM {q(rel.table)} WHERE {rel.predicate} GROUP BY {nk}"
        )
        bad = (
            "current_rows > 1 OR current_rows <> open_rows OR closed_current_rows > 0 "
            "OR (current_rows = 1 AND current_version <> latest_version)"
        )
        rows, names = rel.query(
            f"SELECT * FROM ({body}) m WHERE {bad} ORDER BY {nk} LIMIT {SAMPLE}", rel.params
        )
        count, _ = rel.query(f"SELECT COUNT(*) FROM ({body}) m WHERE {bad}", rel.params)
        failed = int(count[0][0])
        return checks.outcome(
            self.name,
            failed,
            checks.as_dicts(rows, names),
            f"{failed} member(s) without exactly one current latest version"
            if failed
            else "one current version per member",
        )


def _unknown_member(surrogate_key: str) -> str:
    """SQL condition of the unknown member: a placeholder row on purpose (its dates are
    BEGINNING_OF_TIME), exempt from the plausible-dates test. NULL-safe, so rows whose key is
    not assigned yet are still tested."""
    return f"{q(surrogate_key)} <=> {UNKNOWN_KEY}"


@dataclass(frozen=True)
class Type1Merge:
    """Upsert by natural key; surrogate keys are preserved, new members get the next free key
    (or, with `assign_keys=False`, the key the transform computed, e.g. dim_date's yyyymmdd).
    Members missing from the source keep their row: facts still point at them."""

    natural_key: tuple[str, ...]
    surrogate_key: str
    assign_keys: bool = True
    name: str = "type1_merge"

    @property
    def computed_columns(self) -> tuple[str, ...]:
        return ((self.surrogate_key,) if self.assign_keys else ()) + (ROW_HASH,)

    @property
    def placeholder_rows(self) -> str:
        return _unknown_member(self.surrogate_key)

    def checks(self) -> tuple[TableCheck, ...]:
        return (UnknownMemberPresent(self.surrogate_key),)

    def prepare(self, load: StagedLoad, spec: TableSpec, window: Window | None) -> dict[str, Any]:
        nk, sk = self.natural_key, self.surrogate_key
        attributes = [c for c in _columns(spec) if c not in {sk, ROW_HASH, *nk}]
        staging = q(load.staging)
        _run(load, f"UPDATE {staging} SET {q(ROW_HASH)} = {_hash(attributes)}")
        incoming = _take_incoming(load, spec, nk)
        _check_natural_keys(load, incoming, spec, nk)
        _copy_current_state(load, spec, [nk, (sk,)])
        changed = _run(
            load,
            f"UPDATE {staging} s JOIN {q(incoming)} i ON {_match('s', 'i', nk)} "
            f"SET {', '.join(f's.{q(c)} = i.{q(c)}' for c in [*attributes, ROW_HASH])} "
            f"WHERE NOT ({_same(spec, 's', 'i', [ROW_HASH])})",
        )
        base = _next_keys(load, spec, sk)
        key_value = (
            f"%s + ROW_NUMBER() OVER (ORDER BY {', '.join('i.' + q(c) for c in nk)})"
            if self.assign_keys
            else f"i.{q(sk)}"
        )
        rest = [c for c in _columns(spec) if c != sk]
        added = _run(
            load,
            f"INSERT INTO {staging} ({q(sk)}, {', '.join(q(c) for c in rest)}) "
            f"SELECT {key_value}, {', '.join('i.' + q(c) for c in rest)} FROM {q(incoming)} i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {q(spec.name)} t WHERE {_match('t', 'i', nk)})",
            (base,) if self.assign_keys else None,
        )
        missing = int(
            _scalar(
                load,
                f"SELECT COUNT(*) FROM {q(spec.name)} t WHERE t.{q(sk)} <> {UNKNOWN_KEY} AND "
                f"NOT EXISTS (SELECT 1 FROM {q(incoming)} i WHERE {_match('t', 'i', nk)})",
            )
        )
        _run(load, f"DROP TEMPORARY TABLE IF EXISTS {q(incoming)}")
        load.conn.commit()
        return {"members_new": added, "members_changed": changed, "members_not_in_source": missing}

    def publish(
        self, load: StagedLoad, spec: TableSpec, window: Window | None, now: datetime
    ) -> dict[str, Any]:
        return _apply_next_state(load, spec, self.surrogate_key, now)


@dataclass(frozen=True)
class Scd2Merge:
    """Slowly changing dimension type 2 (see the module docstring for the date rules).

    `tracked` columns open a new version when they change; every other attribute is a type-1
    correction applied to all versions of the member. The transform returns one row per member
    with `valid_from` = the day its current source state took effect (its change marker);
    `valid_to`, `is_current`, `version`, `row_hash` and the surrogate key are managed here.
    """

    natural_key: tuple[str, ...]
    surrogate_key: str
    tracked: tuple[str, ...]
    name: str = "scd2_merge"

    @property
    def computed_columns(self) -> tuple[str, ...]:
        return (self.surrogate_key, VALID_TO, IS_CURRENT, VERSION, ROW_HASH)

    @property
    def open_ended_columns(self) -> tuple[str, ...]:
        """Validity bounds whose open ends are placeholders on purpose (BEGINNING_OF_TIME,
        END_OF_TIME), exempt from the plausible-dates test."""
        return (VALID_FROM, VALID_TO)

    @property
    def placeholder_rows(self) -> str:
        return _unknown_member(self.surrogate_key)

    def checks(self) -> tuple[TableCheck, ...]:
        return (
            UnknownMemberPresent(self.surrogate_key),
            NoOverlappingVersions(self.natural_key),
            OneCurrentVersion(self.natural_key),
        )

    def _corrections(self, spec: TableSpec) -> list[str]:
        managed = {self.surrogate_key, VALID_FROM, *self.computed_columns, *self.natural_key}
        return [c for c in _columns(spec) if c not in managed and c not in self.tracked]

    def prepare(self, load: StagedLoad, spec: TableSpec, window: Window | None) -> dict[str, Any]:
        nk, sk = self.natural_key, q(self.surrogate_key)
        unknown = set(self.tracked) - set(_columns(spec))
        if unknown:
            raise DataValidationError(f"{spec.name}: tracked columns {sorted(unknown)} missing")
        staging, target = q(load.staging), q(spec.name)
        cur, frm, to, ver, rh = (
            q(c) for c in (IS_CURRENT, VALID_FROM, VALID_TO, VERSION, ROW_HASH)
        )
        _run(load, f"UPDATE {staging} SET {rh} = {_hash(self.tracked)}")
        incoming = _take_incoming(load, spec, nk)
        inc = q(incoming)
        _check_natural_keys(load, incoming, spec, nk)
        if not int(_scalar(load, f"SELECT COUNT(*) FROM {inc}")) and int(
            _scalar(load, f"SELECT COUNT(*) FROM {target} WHERE {cur} = 1 AND {sk} <> 0")
        ):
            raise DataValidationError(
                f"{spec.name}: the source returned no members at all; closing every current "
                "version would be a mass deletion, which is far more likely an outage of the "
                "source. Nothing was merged."
            )
        # Per incoming member: the version it opens (NULL = unchanged) and from which day.
        # A change never takes effect before the start of the current version, and a member
        # that comes back never before its last version ended.
        nk_cols = ", ".join(q(c) for c in nk)
        _run(
            load,
            f"UPDATE {inc} i "
            f"LEFT JOIN {target} c ON {_match('c', 'i', nk)} AND c.{cur} = 1 AND c.{sk} <> 0 "
            f"LEFT JOIN (SELECT {nk_cols}, MAX({ver}) AS last_version, MAX({to}) AS last_end "
            f"FROM {target} WHERE {sk} <> 0 GROUP BY {nk_cols}) h ON {_match('h', 'i', nk)} "
            f"SET i.{ver} = CASE WHEN c.{sk} IS NOT NULL "
            f"THEN IF({_same(spec, 'c', 'i', [ROW_HASH])}, NULL, c.{ver} + 1) "
            f"WHEN h.last_version IS NOT NULL THEN h.last_version + 1 ELSE 1 END, "
            f"i.{frm} = CASE WHEN c.{sk} IS NOT NULL "
            f"THEN GREATEST(COALESCE(i.{frm}, UTC_DATE()), c.{frm}) "
            f"WHEN h.last_version IS NOT NULL "
            f"THEN GREATEST(COALESCE(i.{frm}, UTC_DATE()), h.last_end) ELSE %s END",
            (BEGINNING_OF_TIME,),
        )
        _copy_current_state(load, spec, [nk, (self.surrogate_key,)])
        closed = _run(
            load,
            f"UPDATE {staging} s JOIN {inc} i ON {_match('s', 'i', nk)} "
            f"SET s.{to} = i.{frm}, s.{cur} = 0 "
            f"WHERE s.{cur} = 1 AND s.{sk} <> {UNKNOWN_KEY} AND i.{ver} IS NOT NULL",
        )
        deleted = _run(
            load,
            f"UPDATE {staging} s SET s.{to} = GREATEST(UTC_DATE(), s.{frm}), s.{cur} = 0 "
            f"WHERE s.{cur} = 1 AND s.{sk} <> {UNKNOWN_KEY} "
            f"AND NOT EXISTS (SELECT 1 FROM {inc} i WHERE {_match('s', 'i', nk)})",
        )
        corrections = self._corrections(spec)
        corrected = 0
        if corrections:
            corrected = _run(
                load,
                f"UPDATE {staging} s JOIN {inc} i ON {_match('s', 'i', nk)} "
                f"SET {', '.join(f's.{q(c)} = i.{q(c)}' for c in corrections)} "
                f"WHERE NOT ({_same(spec, 's', 'i', corrections)})",
            )
        base = _next_keys(load, spec, self.surrogate_key)
        rest = [c for c in _columns(spec) if c not in {self.surrogate_key, VALID_TO, IS_CURRENT}]
        opened = _run(
            load,
            f"INSERT INTO {staging} ({sk}, {to}, {cur}, {', '.join(q(c) for c in rest)}) "
            f"SELECT %s + ROW_NUMBER() OVER (ORDER BY {', '.join('i.' + q(c) for c in nk)}), "
            f"%s, 1, {', '.join('i.' + q(c) for c in rest)} FROM {inc} i "
            f"WHERE i.{ver} IS NOT NULL",
            (base, END_OF_TIME),
        )
        new_members = int(_scalar(load, f"SELECT COUNT(*) FROM {inc} WHERE {ver} = 1"))
        _run(load, f"DROP TEMPORARY TABLE IF EXISTS {inc}")
        load.conn.commit()
        return {
            "versions_opened": opened,
            "members_new": new_members,
            "versions_closed_by_change": closed,
            "versions_closed_by_deletion": deleted,
            "members_returned": opened - new_members - closed,
            "rows_corrected_type1": corrected,
        }

    def publish(
        self, load: StagedLoad, spec: TableSpec, window: Window | None, now: datetime
    ) -> dict[str, Any]:
        return _apply_next_state(load, spec, self.surrogate_key, now)


@dataclass(frozen=True)
class DimLookup:
    """How a fact finds one dimension key: `key` (fact column) receives the surrogate key of
    `dimension` whose natural key equals the fact's `on` columns ((fact column, dimension
    column) pairs). With `at` (a DATE column of the fact) the lookup is point-in-time: the
    version with valid_from <= at < valid_to. `dimension_key` defaults to the dimension's name
    without `dim_` plus `_key` (dim_customer -> customer_key); role-playing keys such as
    `inspector_employee_key` keep the default and name their own column."""

    key: str
    dimension: str
    on: tuple[tuple[str, str], ...]
    at: str | None = None
    dimension_key: str | None = None

    @property
    def surrogate(self) -> str:
        return self.dimension_key or self.dimension.removeprefix("dim_") + "_key"

    def join(self, fact: str, dim: str) -> str:
        """The ON condition that finds the member (and version) for a fact row."""
        parts = [f"{dim}.{q(d)} = {fact}.{q(f)}" for f, d in self.on]
        if self.at:
            parts.append(f"{dim}.{q(VALID_FROM)} <= {fact}.{q(self.at)}")
            parts.append(f"{fact}.{q(self.at)} < {dim}.{q(VALID_TO)}")
        return " AND ".join(parts)

    def natural_set(self, alias: str) -> str:
        return " AND ".join(f"{alias}.{q(f)} IS NOT NULL" for f, _ in self.on)


@dataclass(frozen=True)
class ForeignKeysResolve:
    """Every dimension key of the fact points at an existing dimension row (key 0 included),
    so a star join never silently drops a fact."""

    lookups: tuple[DimLookup, ...]
    name: str = "foreign_keys_resolve"
    blocking: bool = True

    @property
    def description(self) -> str:
        keys = ", ".join(f"{lk.key} -> {lk.dimension}.{lk.surrogate}" for lk in self.lookups)
        return f"Every dimension key resolves to a dimension row: {keys}."

    def run(self, spec: TableSpec, rel: Relation) -> CheckOutcome:
        table = q(rel.table)
        offending: list[dict[str, Any]] = []
        per_key: dict[str, int] = {}
        grain = [f"{table}.{q(c)}" for c in spec.schema.grain]
        for lk in self.lookups:
            missing = (
                f"({table}.{q(lk.key)} IS NULL OR NOT EXISTS (SELECT 1 FROM {q(lk.dimension)} d "
                f"WHERE d.{q(lk.surrogate)} = {table}.{q(lk.key)}))"
            )
            count, _ = rel.query(
                f"SELECT COUNT(*) FROM {table} WHERE ({rel.predicate}) AND {missing}", rel.params
            )
            per_key[lk.key] = int(count[0][0])
            if per_key[lk.key]:
                natural = [f"{table}.{q(f)}" for f, _ in lk.on]
                rows, names = rel.query(
                    f"SELECT {', '.join([*grain, f'{table}.{q(lk.key)}', *natural])} FROM {table} "
                    f"WHERE ({rel.predicate}) AND {missing} LIMIT {SAMPLE}",
                    rel.params,
                )
                for row in checks.as_dicts(rows, names):
                    offending.append({**row, "dimension": lk.dimension})
        failed = sum(per_key.values())
        return checks.outcome(
            self.name,
            failed,
            offending[:SAMPLE],
            f"{failed} key(s) point at no dimension row" if failed else "every key resolves",
            extra={"unresolved_per_key": dg.MetadataValue.json(per_key)},
        )


@dataclass(frozen=True)
class LateArrivingMembers:
    """Facts whose member was not (yet) in its dimension point at the unknown member; a later
    run re-points them once the member exists. A warning: counts what is still waiting."""

    lookups: tuple[DimLookup, ...]
    name: str = "late_arriving_members"
    blocking: bool = False

    @property
    def description(self) -> str:
        return (
            "Rows that point at the unknown member although their natural id is set (a member "
            "that arrived late, or a version not valid on the fact's date); repaired by later "
            "runs. Warning only."
        )

    def run(self, spec: TableSpec, rel: Relation) -> CheckOutcome:
        table = q(rel.table)
        offending: list[dict[str, Any]] = []
        per_key: dict[str, int] = {}
        grain = [f"{table}.{q(c)}" for c in spec.schema.grain]
        for lk in self.lookups:
            waiting = f"{table}.{q(lk.key)} = {UNKNOWN_KEY} AND {lk.natural_set(table)}"
            count, _ = rel.query(
                f"SELECT COUNT(*) FROM {table} WHERE ({rel.predicate}) AND {waiting}", rel.params
            )
            per_key[lk.key] = int(count[0][0])
            if per_key[lk.key] and len(offending) < SAMPLE:
                natural = [f"{table}.{q(f)}" for f, _ in lk.on]
                rows, names = rel.query(
                    f"SELECT {', '.join([*grain, *natural])} FROM {table} "
                    f"WHERE ({rel.predicate}) AND {waiting} LIMIT {SAMPLE}",
                    rel.params,
                )
                offending.extend(
                    {**row, "key": lk.key, "dimension": lk.dimension}
                    for row in checks.as_dicts(rows, names)
                )
        failed = sum(per_key.values())
        return checks.outcome(
            self.name,
            failed,
            offending[:SAMPLE],
            f"{failed} row(s) wait for their dimension member" if failed else "none waiting",
            severity=dg.AssetCheckSeverity.WARN,
            extra={"waiting_per_key": dg.MetadataValue.json(per_key)},
        )


@dataclass(frozen=True)
class ResolveKeys:
    """Replace the fact's window with the staged rows, their dimension keys resolved.

    Keys are resolved in `prepare`, so every data test (foreign keys included) sees them. After
    publishing, rows of any day are repaired when their key went stale: rows on the unknown
    member whose member now exists (late-arriving members), and rows pointing at a version
    that was closed after the row was written and no longer covers the row's date (a second
    change on the same day, or a back-dated change). The second kind is searched among the
    versions closed in the last `repair_lookback_days`, so the repair costs what changed, not
    the size of the fact table; a rerun of a window always resolves every key afresh.
    """

    lookups: tuple[DimLookup, ...]
    repair_lookback_days: int = 35
    name: str = "replace_window_resolve_keys"

    @property
    def computed_columns(self) -> tuple[str, ...]:
        return tuple(lk.key for lk in self.lookups)

    def checks(self) -> tuple[TableCheck, ...]:
        return (ForeignKeysResolve(self.lookups), LateArrivingMembers(self.lookups))

    def dimensions(self) -> tuple[str, ...]:
        seen: list[str] = []
        for lk in self.lookups:
            if lk.dimension not in seen:
                seen.append(lk.dimension)
        return tuple(seen)

    def dependencies(self, target: str) -> tuple[tuple[str, ...], ...]:
        """Asset keys of the dimensions, so facts are materialised after them."""
        return tuple(tuple(target_key(target, d).path) for d in self.dimensions())

    def prepare(self, load: StagedLoad, spec: TableSpec, window: Window | None) -> dict[str, Any]:
        staging = q(load.staging)
        waiting: dict[str, int] = {}
        for lk in self.lookups:
            _run(
                load,
                f"UPDATE {staging} f LEFT JOIN {q(lk.dimension)} d ON {lk.join('f', 'd')} "
                f"SET f.{q(lk.key)} = COALESCE(d.{q(lk.surrogate)}, {UNKNOWN_KEY})",
            )
            waiting[lk.key] = int(
                _scalar(
                    load,
                    f"SELECT COUNT(*) FROM {staging} f WHERE f.{q(lk.key)} = {UNKNOWN_KEY} "
                    f"AND {lk.natural_set('f')}",
                )
            )
        load.conn.commit()
        return {"unknown_member_rows": dg.MetadataValue.json(waiting)}

    def publish(
        self, load: StagedLoad, spec: TableSpec, window: Window | None, now: datetime
    ) -> dict[str, Any]:
        columns = ", ".join(q(c) for c in _columns(spec))
        target, staging = q(spec.name), q(load.staging)
        stamp = now.astimezone(UTC).replace(tzinfo=None)
        predicate, params = load.window_predicate()
        try:
            load.conn.begin()
            deleted = _run(load, f"DELETE FROM {target} WHERE {predicate}", params)
            inserted = _run(
                load,
                f"INSERT INTO {target} ({columns}, {q(UPDATED_AT)}) "
                f"SELECT {columns}, %s FROM {staging}",
                (stamp,),
            )
            load.conn.commit()
        except pymysql.err.MySQLError as error:
            load.conn.rollback()
            raise DataValidationError(
                f"{spec.name}: publishing {window or 'the table'} failed and was rolled back; "
                f"the previous data is unchanged: {error.args[-1]}"
            ) from None
        repaired = self.repair(load, spec, now)
        return {
            "rows_published": inserted,
            "rows_replaced": deleted,
            "rows_repaired": dg.MetadataValue.json(repaired),
        }

    def repair(self, load: StagedLoad, spec: TableSpec, now: datetime) -> dict[str, int]:
        """Re-point stale keys anywhere in the fact table (one transaction)."""
        target = q(spec.name)
        stamp = now.astimezone(UTC).replace(tzinfo=None)
        since = stamp - timedelta(days=self.repair_lookback_days)
        repaired: dict[str, int] = {}
        try:
            load.conn.begin()
            for lk in self.lookups:
                key, dim_key = q(lk.key), q(lk.surrogate)
                count = _run(
                    load,
                    f"UPDATE {target} f JOIN {q(lk.dimension)} d ON {lk.join('f', 'd')} "
                    f"SET f.{key} = d.{dim_key}, f.{q(UPDATED_AT)} = %s "
                    f"WHERE f.{key} = {UNKNOWN_KEY} AND d.{dim_key} <> {UNKNOWN_KEY}",
                    (stamp,),
                )
                if lk.at:
                    at = f"f.{q(lk.at)}"
                    count += _run(
                        load,
                        f"UPDATE {target} f JOIN {q(lk.dimension)} old "
                        f"ON old.{dim_key} = f.{key} AND old.{q(IS_CURRENT)} = 0 "
                        f"AND old.{q(UPDATED_AT)} >= %s "
                        f"LEFT JOIN {q(lk.dimension)} d ON {lk.join('f', 'd')} "
                        f"SET f.{key} = COALESCE(d.{dim_key}, {UNKNOWN_KEY}), "
                        f"f.{q(UPDATED_AT)} = %s "
                        f"WHERE old.{q(UPDATED_AT)} > f.{q(UPDATED_AT)} "
                        f"AND NOT (old.{q(VALID_FROM)} <= {at} AND {at} < old.{q(VALID_TO)})",
                        (since, stamp),
                    )
                repaired[lk.key] = count
            load.conn.commit()
        except pymysql.err.MySQLError as error:
            load.conn.rollback()
            raise DataValidationError(
                f"{spec.name}: repairing stale dimension keys failed and was rolled back "
                f"(the window itself was published): {error.args[-1]}"
            ) from None
        return repaired
