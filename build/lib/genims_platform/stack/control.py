"""`up`, `down` and `status` of the local stack, over the three components."""

from __future__ import annotations

import time
from collections.abc import Sequence

from genims_platform.lib.errors import GenimsError
from genims_platform.settings import Settings
from genims_platform.stack import proc, state
from genims_platform.stack.azurite import Azurite
from genims_platform.stack.base import (
    OWNER_EXTERNAL,
    OWNER_NONE,
    OWNER_PROJECT,
    OWNER_REUSED,
    Component,
    Layout,
    Log,
    ServiceStatus,
    Target,
)
from genims_platform.stack.mysql import MySql
from genims_platform.stack.postgres import Postgres
from genims_platform.stack.state import Record

COMPONENTS: dict[str, Component] = {"postgres": Postgres(), "mysql": MySql(), "azurite": Azurite()}
# How long `up` waits for a server this project started earlier that is still coming up.
SETTLE_TIMEOUT_S = 60


def _quiet(_message: str) -> None:
    """Default log: say nothing."""


def _selected(components: Sequence[str] | None) -> list[Component]:
    names = list(components) if components else list(COMPONENTS)
    unknown = [n for n in names if n not in COMPONENTS]
    if unknown:
        raise GenimsError(f"unknown stack component(s) {unknown}; choose from {list(COMPONENTS)}")
    return [COMPONENTS[n] for n in names]


def _ours(record: Record | None, target: Target) -> bool:
    return record is not None and record.port == target.port and record.is_running()


def up(
    settings: Settings, components: Sequence[str] | None = None, log: Log = _quiet
) -> list[ServiceStatus]:
    """Reuse the servers that answer at the configured addresses; start the missing ones.

    Servers are started on loopback under `<state_dir>/<component>/` and recorded in
    `<state_dir>/stack.json`. Running it again changes nothing.
    """
    layout = Layout(settings.state_dir)
    statuses: list[ServiceStatus] = []
    with state.locked(layout):
        records = state.load(layout)
        for component in _selected(components):
            for target in component.targets(settings):
                statuses.append(_up_one(component, target, layout, records, log))
    return statuses


def _up_one(
    component: Component,
    target: Target,
    layout: Layout,
    records: dict[str, Record],
    log: Log,
) -> ServiceStatus:
    name, label = component.name, component.label
    record = records.get(target.key)
    if record is not None and not record.is_running():
        log(f"{name}: the server this project started earlier (pid {record.pid}) is gone")
        del records[target.key]
        state.save(layout, records)
        record = None

    probe = component.probe(target)
    if not probe.answers and _ours(record, target):
        probe = _settle(component, target)
    if probe.answers:
        if _ours(record, target):
            log(f"{name}: already running at {target.address} (started by this project)")
            return ServiceStatus(
                name, target.address, True, OWNER_PROJECT, record.pid, "already running"
            )
        log(f"{name}: reusing the {label} that answers at {target.address}")
        return ServiceStatus(name, target.address, True, OWNER_REUSED, None, "reused")

    if record is not None and record.port == target.port:
        raise GenimsError(
            f"this project's {label} runs at {record.address} (pid {record.pid}) but does not "
            f"answer ({probe.reason}); see {record.log_file}, or run `genims stack down` and "
            "`genims stack up` again"
        )
    if record is not None:
        raise GenimsError(
            f"this project's {label} runs on {record.address} (pid {record.pid}), but the "
            f"settings now ask for {target.address}; run `genims stack down` first"
        )
    if probe.occupied:
        raise GenimsError(
            f"{target.address} is in use, but not by a {label} this project can use: "
            f"{probe.reason}. Check the credentials, stop what listens there, or configure "
            "another port"
        )
    if not target.local:
        raise GenimsError(
            f"no {label} answers at {target.address} ({probe.reason}); the local stack only "
            "starts servers on loopback, so start that server or fix its host and port settings"
        )
    began = time.monotonic()
    record = component.start(target, layout, log)
    records[target.key] = record
    state.save(layout, records)
    note = f"started in {time.monotonic() - began:.1f} s"
    return ServiceStatus(name, target.address, True, OWNER_PROJECT, record.pid, note)


def _settle(component: Component, target: Target):
    """Wait for a server of ours that runs but does not answer yet (a start still in progress)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        probe = component.probe(target)
        if probe.answers or time.monotonic() > deadline:
            return probe
        time.sleep(0.5)


def status(settings: Settings) -> list[ServiceStatus]:
    """For each configured server: up or down, its address, and who started it."""
    layout = Layout(settings.state_dir)
    records = state.load(layout)
    statuses: list[ServiceStatus] = []
    seen: set[str] = set()
    for component in COMPONENTS.values():
        for target in component.targets(settings):
            record = records.get(target.key)
            ours = _ours(record, target)
            running = component.probe(target).answers
            if ours:
                seen.add(target.key)
                note = "" if running else "process runs but does not answer"
                owner, pid = OWNER_PROJECT, record.pid
            else:
                owner, pid, note = (OWNER_EXTERNAL if running else OWNER_NONE), None, ""
            statuses.append(
                ServiceStatus(component.name, target.address, running, owner, pid, note)
            )
    # Servers the project started for earlier settings still count: `down` will stop them.
    for key, record in sorted(records.items()):
        if key not in seen and record.is_running():
            statuses.append(
                ServiceStatus(
                    record.component,
                    record.address,
                    True,
                    OWNER_PROJECT,
                    record.pid,
                    "not in the current settings",
                )
            )
    return statuses


def down(settings: Settings) -> list[str]:
    """Stop the servers this project started (per stack.json); never touch the others."""
    layout = Layout(settings.state_dir)
    lines: list[str] = []
    with state.locked(layout):
        records = state.load(layout)
        stopped: set[tuple[str, int]] = set()
        for key, record in sorted(records.items()):
            what = f"{record.component} at {record.address} (pid {record.pid})"
            signal = COMPONENTS[record.component].stop_signal
            if proc.terminate(record.pid, record.proc_start, signal):
                lines.append(f"stopped {what}")
            else:
                lines.append(f"{what} was no longer running")
            stopped.add((record.component, record.port))
            del records[key]
            state.save(layout, records)
        for component in COMPONENTS.values():
            for target in component.targets(settings):
                if target.local and (component.name, target.port) in stopped:
                    continue
                if proc.port_open(target.host, target.port):
                    lines.append(
                        f"left alone {component.name} at {target.address} "
                        "(not started by this project)"
                    )
    if not lines:
        lines.append("nothing to stop: this project has no servers running")
    return lines


def format_status(statuses: Sequence[ServiceStatus]) -> str:
    """A small aligned table: component, state, address, owner, pid, note."""
    header = ("COMPONENT", "STATE", "ADDRESS", "OWNER", "PID", "NOTE")
    rows = [header] + [
        (s.component, s.state, s.address, s.owner, str(s.pid or "-"), s.note) for s in statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
