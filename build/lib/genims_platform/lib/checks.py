"""Data tests of target tables, declared once and run as SQL against a relation.

During a materialisation the relation is the staging table (rows not yet published, so a failed
blocking test keeps bad data away from every reader); when a check is executed on its own from
the UI it is the published window of the target. A failed test names the offending rows.

Severities, chosen on purpose:
* grain_unique, keys_not_null, values_in_range, reconcile_*: ERROR and blocking. A duplicate
  grain double-counts on every dashboard; a NULL key or an impossible value (an OEE above 1, a
  negative quantity) is a defect of the data, and a table that disagrees with its source totals
  is wrong. The partition is not published and downstream assets do not run.
* dates_plausible: ERROR and blocking. A date before 1901 or from 2100 on is a placeholder a
  source wrote instead of NULL (1900-01-01, 9999-12-31), never a fact about the plant; published,
  it would sort first or last on every dashboard and break every age and duration.
* has_rows: WARN, not blocking. A day without rows can be genuine (a plant holiday).
* reconcile_* with `Reconcile(blocking=False)`: WARN, not blocking (the other side may lag).
* a table's own checks (`TableSpec.checks`): as each declares; a non-blocking one only warns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import dagster as dg

from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.lib.tables import TableSpec, Window

SAMPLE = 20

GRAIN_UNIQUE = "grain_unique"
KEYS_NOT_NULL = "keys_not_null"
VALUES_IN_RANGE = "values_in_range"
HAS_ROWS = "has_rows"
REQUIRED_NOT_NULL = "required_not_null"
DATES_PLAUSIBLE = "dates_plausible"
# The span real dates of the plant's records fall in (inclusive start, exclusive end).
PLAUSIBLE_FROM = date(1901, 1, 1)
PLAUSIBLE_UNTIL = date(2100, 1, 1)
DATE_TYPES = {"DATE", "DATETIME", "TIMESTAMP"}


def reconcile_check_name(name: str) -> str:
    return f"reconcile_{name}"


@dataclass(frozen=True)
class Relation:
    """Where a test looks: a table name plus the predicate that selects the window."""

    table: str
    predicate: str
    params: tuple
    query: Callable[[str, tuple], tuple[list, list[str]]]


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    severity: dg.AssetCheckSeverity
    description: str
    metadata: dict[str, Any]
    offending: list[dict[str, Any]]

    def result(self, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=self.name,
            passed=self.passed,
            severity=self.severity,
            description=self.description,
            metadata=self.metadata,
        )


def check_specs(spec: TableSpec, asset_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """The checks a table declares, with their blocking flag."""
    grain = ", ".join(spec.schema.grain)
    specs = [
        dg.AssetCheckSpec(
            GRAIN_UNIQUE,
            asset=asset_key,
            blocking=True,
            description=f"At most one row per grain ({grain}).",
        ),
        dg.AssetCheckSpec(
            KEYS_NOT_NULL,
            asset=asset_key,
            blocking=True,
            description=f"No grain column ({grain}) is NULL.",
        ),
    ]
    required = _required_columns(spec)
    if required:
        specs.append(
            dg.AssetCheckSpec(
                REQUIRED_NOT_NULL,
                asset=asset_key,
                blocking=True,
                description=f"Required (NOT NULL) columns are filled: {', '.join(required)}.",
            )
        )
    dated = _date_columns(spec)
    if dated:
        specs.append(
            dg.AssetCheckSpec(
                DATES_PLAUSIBLE,
                asset=asset_key,
                blocking=True,
                description=(
                    f"Dates fall between {PLAUSIBLE_FROM} and {PLAUSIBLE_UNTIL} (exclusive), "
                    f"not on a placeholder such as 1900-01-01 or 9999-12-31: {', '.join(dated)}."
                ),
            )
        )
    if spec.ranges:
        rules = "; ".join(r.describe() for r in spec.ranges)
        specs.append(
            dg.AssetCheckSpec(
                VALUES_IN_RANGE,
                asset=asset_key,
                blocking=True,
                description=f"Values within their business limits: {rules}.",
            )
        )
    for rec in spec.reconcile:
        specs.append(
            dg.AssetCheckSpec(
                reconcile_check_name(rec.name),
                asset=asset_key,
                blocking=rec.blocking,
                description=(
                    f"{rec.expression} over the window equals the independent source total "
                    f"from {rec.source} (sql/{spec.target}/checks/{rec.sql}), "
                    f"within {rec.tolerance:g}"
                    + (f" or {rec.relative_tolerance:g} of it" if rec.relative_tolerance else "")
                    + "."
                ),
            )
        )
    for own in spec.checks:
        specs.append(
            dg.AssetCheckSpec(
                own.name, asset=asset_key, blocking=own.blocking, description=own.description
            )
        )
    if spec.expect_rows:
        specs.append(
            dg.AssetCheckSpec(
                HAS_ROWS,
                asset=asset_key,
                blocking=False,
                description="The window is not empty (a warning only: quiet days exist).",
            )
        )
    return specs


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def as_dicts(rows: list, names: list[str]) -> list[dict[str, Any]]:
    return [{n: _jsonable(v) for n, v in zip(names, row, strict=True)} for row in rows]


def _markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "_none_"
    names = list(dict.fromkeys(name for row in rows for name in row))
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in rows:
        cells = ("NULL" if row.get(n) is None else str(row[n]) for n in names)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def outcome(
    name: str,
    failed_count: int,
    offending: list[dict],
    description: str,
    severity=dg.AssetCheckSeverity.ERROR,
    extra: dict | None = None,
) -> CheckOutcome:
    metadata: dict[str, Any] = {"failed_rows": dg.MetadataValue.int(failed_count)}
    if offending:
        metadata["offending_rows"] = dg.MetadataValue.md(_markdown(offending))
        metadata["offending_rows_json"] = dg.MetadataValue.json(offending)
    metadata.update(extra or {})
    return CheckOutcome(name, failed_count == 0, severity, description, metadata, offending)


def grain_unique(spec: TableSpec, rel: Relation) -> CheckOutcome:
    grain = ", ".join(quote_ident(c) for c in spec.schema.grain)
    rows, names = rel.query(
        f"SELECT {grain}, COUNT(*) AS copies FROM {quote_ident(rel.table)} WHERE {rel.predicate} "
        f"GROUP BY {grain} HAVING COUNT(*) > 1 ORDER BY copies DESC LIMIT {SAMPLE}",
        rel.params,
    )
    count_rows, _ = rel.query(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote_ident(rel.table)} WHERE {rel.predicate} "
        f"GROUP BY {grain} HAVING COUNT(*) > 1) AS d",
        rel.params,
    )
    failed = int(count_rows[0][0])
    return outcome(
        GRAIN_UNIQUE,
        failed,
        as_dicts(rows, names),
        f"{failed} grain key(s) appear more than once" if failed else "grain is unique",
    )


def keys_not_null(spec: TableSpec, rel: Relation) -> CheckOutcome:
    grain = spec.schema.grain
    condition = " OR ".join(f"{quote_ident(c)} IS NULL" for c in grain)
    columns = ", ".join(quote_ident(c) for c in spec.schema.column_names if c != "updated_at")
    rows, names = rel.query(
        f"SELECT {columns} FROM {quote_ident(rel.table)} WHERE ({rel.predicate}) AND ({condition}) "
        f"LIMIT {SAMPLE}",
        rel.params,
    )
    count_rows, _ = rel.query(
        f"SELECT COUNT(*) FROM {quote_ident(rel.table)} WHERE ({rel.predicate}) AND ({condition})",
        rel.params,
    )
    failed = int(count_rows[0][0])
    return outcome(
        KEYS_NOT_NULL,
        failed,
        as_dicts(rows, names),
        f"{failed} row(s) with a NULL grain column" if failed else "no NULL keys",
    )


def _required_columns(spec: TableSpec) -> list[str]:
    """NOT NULL columns outside the grain (the grain has keys_not_null), as the DDL says;
    columns the write mode fills in itself at publish (versions, hashes) are not staged."""
    computed = set(getattr(spec.write, "computed_columns", ()))
    return [
        c.name
        for c in spec.schema.columns
        if not c.nullable
        and c.name not in spec.schema.grain
        and c.name != "updated_at"
        and c.name not in computed
    ]


def required_not_null(spec: TableSpec, rel: Relation) -> CheckOutcome:
    """A staged NULL in a NOT NULL column would otherwise surface as a MySQL error at publish;
    this names the rows and columns instead."""
    grain = [quote_ident(c) for c in spec.schema.grain]
    offending: list[dict[str, Any]] = []
    failed = 0
    for name in _required_columns(spec):
        col = quote_ident(name)
        count_rows, _ = rel.query(
            f"SELECT COUNT(*) FROM {quote_ident(rel.table)} "
            f"WHERE ({rel.predicate}) AND {col} IS NULL",
            rel.params,
        )
        n = int(count_rows[0][0])
        if n:
            failed += n
            rows, names = rel.query(
                f"SELECT {', '.join(grain)} FROM {quote_ident(rel.table)} "
                f"WHERE ({rel.predicate}) AND {col} IS NULL LIMIT {SAMPLE}",
                rel.params,
            )
            offending.extend({**row, "column": name} for row in as_dicts(rows, names))
    return outcome(
        REQUIRED_NOT_NULL,
        failed,
        offending[:SAMPLE],
        f"{failed} NULL value(s) in required columns" if failed else "required columns filled",
    )


def _date_columns(spec: TableSpec) -> list[str]:
    """Date and time columns the transform fills; columns the write mode manages itself, and
    those whose open end it marks with a placeholder on purpose (a version's validity), are not
    the source's dates."""
    managed = {
        *getattr(spec.write, "computed_columns", ()),
        *getattr(spec.write, "open_ended_columns", ()),
        "updated_at",
    }
    return [
        c.name for c in spec.schema.columns if c.base_type in DATE_TYPES and c.name not in managed
    ]


def dates_plausible(spec: TableSpec, rel: Relation) -> CheckOutcome:
    grain = [quote_ident(c) for c in spec.schema.grain]
    bounds = (PLAUSIBLE_FROM, PLAUSIBLE_UNTIL)
    offending: list[dict[str, Any]] = []
    failed = 0
    # Rows the write mode keeps as placeholders on purpose (a dimension's unknown member).
    placeholder = getattr(spec.write, "placeholder_rows", None)
    exempt = f" AND NOT ({placeholder})" if placeholder else ""
    for name in _date_columns(spec):
        col = quote_ident(name)
        condition = f"({rel.predicate}){exempt} AND ({col} < %s OR {col} >= %s)"
        count_rows, _ = rel.query(
            f"SELECT COUNT(*) FROM {quote_ident(rel.table)} WHERE {condition}",
            (*rel.params, *bounds),
        )
        n = int(count_rows[0][0])
        if n:
            failed += n
            rows, names = rel.query(
                f"SELECT {', '.join(grain)}, {col} FROM {quote_ident(rel.table)} "
                f"WHERE {condition} LIMIT {SAMPLE}",
                (*rel.params, *bounds),
            )
            for row in as_dicts(rows, names):
                row["column"] = name
                row["value"] = row.pop(name)
                offending.append(row)
    return outcome(
        DATES_PLAUSIBLE,
        failed,
        offending[:SAMPLE],
        (
            f"{failed} date(s) outside [{PLAUSIBLE_FROM}, {PLAUSIBLE_UNTIL})"
            if failed
            else "all dates plausible"
        ),
    )


def values_in_range(spec: TableSpec, rel: Relation) -> CheckOutcome:
    grain = [quote_ident(c) for c in spec.schema.grain]
    offending: list[dict[str, Any]] = []
    failed = 0
    per_rule: dict[str, int] = {}
    for rule in spec.ranges:
        col = quote_ident(rule.column)
        bounds = []
        if rule.low is not None:
            bounds.append(f"{col} < {float(rule.low)!r}")
        if rule.high is not None:
            bounds.append(f"{col} > {float(rule.high)!r}")
        condition = " OR ".join(bounds)
        count_rows, _ = rel.query(
            f"SELECT COUNT(*) FROM {quote_ident(rel.table)} "
            f"WHERE ({rel.predicate}) AND ({condition})",
            rel.params,
        )
        n = int(count_rows[0][0])
        per_rule[rule.describe()] = n
        if n:
            failed += n
            rows, names = rel.query(
                f"SELECT {', '.join(grain)}, {col} FROM {quote_ident(rel.table)} "
                f"WHERE ({rel.predicate}) AND ({condition}) LIMIT {SAMPLE}",
                rel.params,
            )
            for row in as_dicts(rows, names):
                row["column"] = rule.column
                row["value"] = row.pop(rule.column)
                row["rule"] = rule.describe()
                offending.append(row)
    return outcome(
        VALUES_IN_RANGE,
        failed,
        offending[:SAMPLE],
        f"{failed} value(s) outside their limits" if failed else "all values within limits",
        extra={"violations_per_rule": dg.MetadataValue.json(per_rule)},
    )


def reconcile(
    spec: TableSpec, rel: Relation, source_total: Callable[[str, str], Any]
) -> list[CheckOutcome]:
    outcomes = []
    for rec in spec.reconcile:
        rows, _ = rel.query(
            f"SELECT COALESCE({rec.expression}, 0) FROM {quote_ident(rel.table)} "
            f"WHERE {rel.predicate}",
            rel.params,
        )
        table_total = float(rows[0][0] or 0)
        source = source_total(rec.source, load_sql(spec.target, "checks", rec.sql))
        source_value = float(source or 0)
        difference = table_total - source_value
        allowed = max(rec.tolerance, rec.relative_tolerance * abs(source_value))
        passed = abs(difference) <= allowed
        outcomes.append(
            CheckOutcome(
                reconcile_check_name(rec.name),
                passed,
                dg.AssetCheckSeverity.ERROR if rec.blocking else dg.AssetCheckSeverity.WARN,
                (
                    f"{rec.expression} = {table_total:,.4f}; source total = {source_value:,.4f}"
                    + ("" if passed else f"; off by {difference:,.4f}")
                ),
                {
                    "table_total": dg.MetadataValue.float(table_total),
                    "source_total": dg.MetadataValue.float(source_value),
                    "difference": dg.MetadataValue.float(difference),
                },
                [] if passed else [{"table_total": table_total, "source_total": source_value}],
            )
        )
    return outcomes


def has_rows(spec: TableSpec, rel: Relation) -> CheckOutcome:
    rows, _ = rel.query(
        f"SELECT COUNT(*) FROM {quote_ident(rel.table)} WHERE {rel.predicate}", rel.params
    )
    n = int(rows[0][0])
    return CheckOutcome(
        HAS_ROWS,
        n > 0,
        dg.AssetCheckSeverity.WARN,
        f"{n} row(s) in the window",
        {"rows": dg.MetadataValue.int(n)},
        [],
    )


def run_all(
    spec: TableSpec, rel: Relation, source_total: Callable[[str, str], Any], selected: set[str]
) -> list[CheckOutcome]:
    """Run the selected tests in a fixed order."""
    outcomes: list[CheckOutcome] = []
    if GRAIN_UNIQUE in selected:
        outcomes.append(grain_unique(spec, rel))
    if KEYS_NOT_NULL in selected:
        outcomes.append(keys_not_null(spec, rel))
    if REQUIRED_NOT_NULL in selected and _required_columns(spec):
        outcomes.append(required_not_null(spec, rel))
    if DATES_PLAUSIBLE in selected and _date_columns(spec):
        outcomes.append(dates_plausible(spec, rel))
    if VALUES_IN_RANGE in selected and spec.ranges:
        outcomes.append(values_in_range(spec, rel))
    if any(reconcile_check_name(r.name) in selected for r in spec.reconcile):
        outcomes.extend(o for o in reconcile(spec, rel, source_total) if o.name in selected)
    for own in spec.checks:
        if own.name in selected:
            outcome = own.run(spec, rel)
            if not own.blocking and outcome.severity == dg.AssetCheckSeverity.ERROR:
                outcome = replace(outcome, severity=dg.AssetCheckSeverity.WARN)
            outcomes.append(outcome)
    if HAS_ROWS in selected and spec.expect_rows:
        outcomes.append(has_rows(spec, rel))
    return outcomes


def quarantine(
    db_query: Callable[[str, tuple], Any],
    spec: TableSpec,
    window: Window | None,
    run_id: str,
    failures: list[CheckOutcome],
) -> int:
    """Keep the rows a blocking test rejected in `etl_quarantine`, so nothing is lost silently."""
    count = 0
    for outcome in failures:
        for row in outcome.offending:
            db_query(
                "INSERT INTO etl_quarantine (table_name, run_id, window_start, window_end, "
                "check_name, row_json) VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    spec.name,
                    run_id,
                    window.start if window else None,
                    window.end if window else None,
                    outcome.name,
                    json.dumps(row, sort_keys=True, default=str),
                ),
            )
            count += 1
    return count
