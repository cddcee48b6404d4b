"""What every stack component shares: the servers settings ask for, probe results, file layout."""

from __future__ import annotations

import ipaddress
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from genims_platform.settings import Settings

Log = Callable[[str], None]

OWNER_PROJECT = "this project"
OWNER_REUSED = "external (reused)"
OWNER_EXTERNAL = "external"
OWNER_NONE = "-"


@dataclass(frozen=True)
class ServiceStatus:
    """One server of the local stack as `up` and `status` report it."""

    component: str
    address: str
    running: bool
    owner: str
    pid: int | None = None
    note: str = ""

    @property
    def state(self) -> str:
        return "up" if self.running else "down"


@dataclass(frozen=True)
class Target:
    """One server the settings ask for: where it should answer and how to log in to it.

    `key` names the server in stack.json and its data directory (`<state_dir>/<key>/`): the
    component's name for its first address, `<component>-<port>` for any further one.
    """

    component: str
    key: str
    host: str
    port: int
    login: Any = field(repr=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def local(self) -> bool:
        return is_loopback(self.host)


@dataclass(frozen=True)
class Probe:
    """What answered at a target's address.

    `answers`: the expected server answered and the configured login worked.
    `occupied`: something accepts connections there, but not that (the reason says why).
    """

    answers: bool
    occupied: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Layout:
    """Where the project keeps the stack's files, all under the state directory."""

    state_dir: Path

    @property
    def stack_file(self) -> Path:
        return self.state_dir / "stack.json"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "stack.lock"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def node_dir(self) -> Path:
        return self.state_dir / "node"

    def data_dir(self, key: str) -> Path:
        return self.state_dir / key

    def run_dir(self, key: str) -> Path:
        # Unix sockets live here; kept short because socket paths are limited to ~107 bytes.
        return self.state_dir / "run" / key

    def log_file(self, key: str) -> Path:
        return self.logs_dir / f"{key}.log"


class Component(Protocol):
    """A kind of server the stack can reuse or start."""

    name: str
    label: str
    stop_signal: signal.Signals

    def targets(self, settings: Settings) -> list[Target]: ...

    def probe(self, target: Target) -> Probe: ...

    def start(self, target: Target, layout: Layout, log: Log) -> Any: ...


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dedupe_targets(component: str, candidates: list[tuple[str, int, Any]]) -> list[Target]:
    """One target per distinct server, in the order given (the first keeps the plain key).

    "localhost" and "127.0.0.1" on the same port are one server, not two.
    """
    seen: dict[tuple[str, int], Target] = {}
    for host, port, login in candidates:
        where = ("loopback" if is_loopback(host) else host.lower(), port)
        if where in seen:
            continue
        if not seen:
            key = component
        elif where[0] == "loopback":
            key = f"{component}-{port}"
        else:
            key = f"{component}-{host.lower()}-{port}"
        seen[where] = Target(component, key, host, port, login)
    return list(seen.values())
