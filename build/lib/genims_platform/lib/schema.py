"""Column schemas of the MySQL tables, read from their migration files.

The DDL in `sql/mysql/<target>/NNNN_*.sql` is the single source of truth for every target table:
column names, types, nullability, the business meaning of each column (its COMMENT, which MySQL
also shows to BI tools) and the grain (PRIMARY KEY or `-- grain:` marker). This module parses the
project's own DDL style (one column per line) so the asset catalogue shows the same schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from genims_platform.lib.migrations import discover

CREATE = re.compile(
    r"CREATE TABLE IF NOT EXISTS\s+`?(\w+)`?\s*\((.*?)\n\)\s*(.*?);", re.DOTALL | re.IGNORECASE
)
COLUMN = re.compile(
    r"^\s*`?(?P<name>[a-z_][a-z0-9_]*)`?\s+"
    r"(?P<type>(?:TINYINT|SMALLINT|INT|BIGINT|DECIMAL|DOUBLE|FLOAT|DATETIME|DATE|TIMESTAMP|"
    r"CHAR|VARCHAR|TEXT|MEDIUMTEXT|LONGTEXT|JSON|BOOLEAN|ENUM|BINARY|VARBINARY)"
    r"(?:\([^)]*\))?(?:\s+UNSIGNED)?)"
    r"(?P<rest>.*?),?\s*$",
    re.IGNORECASE,
)
COMMENT = re.compile(r"COMMENT\s+'((?:[^']|'')*)'", re.IGNORECASE)
KEY_LIST = re.compile(r"\(([^)]*)\)")
ALTER_ADD = re.compile(
    r"ALTER TABLE\s+`?(\w+)`?\s+ADD COLUMN(?: IF NOT EXISTS)?\s+(.*?);", re.DOTALL | re.IGNORECASE
)


class SchemaError(ValueError):
    """A table the catalogue declares is missing from, or malformed in, the migrations."""


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    nullable: bool
    description: str

    @property
    def base_type(self) -> str:
        return self.sql_type.split("(")[0].split()[0].upper()

    @property
    def scale(self) -> int | None:
        """Decimal places of a DECIMAL column (values are rounded to it before loading)."""
        if self.base_type != "DECIMAL":
            return None
        match = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", self.sql_type)
        return int(match.group(1)) if match else 0

    @property
    def max_abs(self) -> Decimal | None:
        """Largest magnitude a DECIMAL(p, s) column holds."""
        if self.base_type != "DECIMAL":
            return None
        match = re.search(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)", self.sql_type)
        if not match:
            return None
        precision, scale = int(match.group(1)), int(match.group(2))
        return Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)


@dataclass(frozen=True)
class TableSchema:
    database: str
    name: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]
    comment: str

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise SchemaError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _parse_column(line: str) -> Column | None:
    match = COLUMN.match(line)
    if not match:
        return None
    rest = match.group("rest")
    comment = COMMENT.search(rest)
    return Column(
        name=match.group("name"),
        sql_type=" ".join(match.group("type").split()).upper(),
        nullable="NOT NULL" not in rest.upper(),
        description=comment.group(1).replace("''", "'") if comment else "",
    )


def _parse_create(name: str, body: str, tail: str, database: str) -> TableSchema:
    columns: list[Column] = []
    grain: tuple[str, ...] = ()
    for line in body.splitlines():
        stripped = line.strip()
        upper = stripped.upper()
        if not stripped or (stripped.startswith("--") and "grain:" not in stripped):
            continue
        if upper.startswith("PRIMARY KEY") or stripped.startswith("-- grain:"):
            keys = KEY_LIST.search(stripped)
            if keys:
                grain = tuple(k.strip(" `") for k in keys.group(1).split(","))
            continue
        if upper.startswith(("KEY ", "UNIQUE ", "INDEX ", "CONSTRAINT ", "FOREIGN ")):
            continue
        column = _parse_column(stripped)
        if column is None:
            raise SchemaError(f"{database}.{name}: cannot parse column line {stripped!r}")
        columns.append(column)
    comment = COMMENT.search(tail)
    return TableSchema(
        database,
        name,
        tuple(columns),
        grain,
        comment.group(1).replace("''", "'") if comment else "",
    )


@cache
def target_schemas(target_logical: str) -> dict[str, TableSchema]:
    """Every table the migrations of one MySQL database create, in its final shape."""
    tables: dict[str, TableSchema] = {}
    for migration in discover(target_logical):
        text = migration.text
        for match in CREATE.finditer(text):
            name, body, tail = match.group(1), match.group(2), match.group(3)
            tables[name] = _parse_create(name, body, tail, target_logical)
        for match in ALTER_ADD.finditer(text):
            name = match.group(1)
            if name not in tables:
                raise SchemaError(f"{migration.path.name}: ALTER of unknown table {name}")
            column = _parse_column(match.group(2))
            if column is None:
                raise SchemaError(f"{migration.path.name}: cannot parse {match.group(2)!r}")
            old = tables[name]
            tables[name] = TableSchema(
                old.database, old.name, (*old.columns, column), old.grain, old.comment
            )
    return tables


def table_schema(target_logical: str, table: str) -> TableSchema:
    schemas = target_schemas(target_logical)
    if table not in schemas:
        raise SchemaError(
            f"table {table!r} is declared but no migration in sql/mysql/{target_logical}/ "
            "creates it"
        )
    return schemas[table]
