"""`<state_dir>/stack.json`: the servers this project started, so `down` stops only those."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from genims_platform.lib.errors import GenimsError
from genims_platform.stack.base import Layout
from genims_platform.stack.proc import is_same_process, start_ticks

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Record:
    """One server started by this project."""

    key: str
    component: str
    pid: int
    host: str
    port: int
    data_dir: str
    binary: str
    log_file: str
    started_at: str
    proc_start: int | None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def is_running(self) -> bool:
        """Whether the recorded pid is still this server (not a recycled pid)."""
        return is_same_process(self.pid, self.proc_start)


def new_record(
    *,
    key: str,
    component: str,
    pid: int,
    host: str,
    port: int,
    data_dir: Path,
    binary: Path,
    log_file: Path,
) -> Record:
    return Record(
        key=key,
        component=component,
        pid=pid,
        host=host,
        port=port,
        data_dir=str(data_dir),
        binary=str(binary),
        log_file=str(log_file),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        proc_start=start_ticks(pid),
    )


def load(layout: Layout) -> dict[str, Record]:
    path = layout.stack_file
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text())
        return {key: Record(**value) for key, value in raw.get("services", {}).items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise GenimsError(
            f"{path} is not a stack file this version understands ({exc}); stop the servers it "
            "lists by hand if they still run, then delete it"
        ) from None


def save(layout: Layout, records: dict[str, Record]) -> None:
    """Write atomically, so a crash never leaves a half-written file behind."""
    path = layout.stack_file
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "version": FORMAT_VERSION,
        "services": {key: asdict(record) for key, record in sorted(records.items())},
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(body, indent=2) + "\n")
    os.replace(tmp, path)


@contextmanager
def locked(layout: Layout) -> Iterator[None]:
    """Serialise `up` and `down` of one state directory (two shells, or CI steps in parallel)."""
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    with layout.lock_file.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
