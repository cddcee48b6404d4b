"""The one loader of the project's `.sql` files.

SQL lives under the repository's `sql/` folder (also shipped inside the package as data when
installed non-editable). Values are always bound parameters; identifiers only ever come from the
platform's declared catalogue.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

SQL_ROOT = Path(__file__).resolve().parents[2] / "sql"


class SqlFileError(FileNotFoundError):
    """A `.sql` file the catalogue refers to is missing."""


def sql_path(*parts: str) -> Path:
    path = SQL_ROOT.joinpath(*parts)
    if not path.is_file():
        raise SqlFileError(f"SQL file not found: {path.relative_to(SQL_ROOT.parent)}")
    return path


@cache
def load_sql(*parts: str) -> str:
    """Text of `sql/<parts...>`, read once per process."""
    return sql_path(*parts).read_text(encoding="utf-8")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_statements(script: str) -> list[str]:
    """Split a MySQL script into statements.

    A statement ends with the current delimiter at the end of a line; `DELIMITER $$` lines switch
    the delimiter the way the mysql client does, so trigger bodies can contain `;`.
    """
    delimiter = ";"
    statements: list[str] = []
    current: list[str] = []
    for raw in script.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.upper().startswith("DELIMITER "):
            delimiter = stripped.split(None, 1)[1]
            continue
        if not current and (not stripped or stripped.startswith("--")):
            continue
        if stripped.endswith(delimiter):
            current.append(line[: line.rstrip().rfind(delimiter)])
            statement = "\n".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
        else:
            current.append(line)
    tail = "\n".join(current).strip()
    if tail and not all(
        not part.strip() or part.strip().startswith("--") for part in tail.splitlines()
    ):
        statements.append(tail)
    return statements
