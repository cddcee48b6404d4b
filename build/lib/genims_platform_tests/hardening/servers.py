"""Private database servers the fault tests may stop, kill and restart.

The machine's shared PostgreSQL and MariaDB serve every other test; a fault is only ever
injected into a server of this module, started by the local stack's own code
(`genims_platform.stack`) in a temporary state directory on a free loopback port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

from genims_platform.settings import MySqlTarget, PgServer
from genims_platform.stack import proc
from genims_platform.stack.base import Layout, Target
from genims_platform.stack.mysql import MySql
from genims_platform.stack.postgres import Postgres
from genims_platform.stack.state import Record


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def state_dir(prefix: str) -> Path:
    """A state directory the servers' system users can reach (pytest's own tmp is 0700)."""
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}_", dir="/tmp"))
    path.chmod(0o755)
    return path


@dataclass
class PrivateServer:
    """One server of the local stack, under test control."""

    component: MySql | Postgres
    target: Target
    layout: Layout
    record: Record | None = field(default=None)

    @property
    def port(self) -> int:
        return self.target.port

    def start(self) -> None:
        self.record = self.component.start(self.target, self.layout, lambda message: None)

    def kill(self) -> None:
        """SIGKILL: the server dies mid-transaction, as on a power cut."""
        if self.record is not None:
            proc.terminate(self.record.pid, self.record.proc_start, signal.SIGKILL, timeout=60)
        self.record = None

    def running(self) -> bool:
        return self.record is not None and self.record.is_running()


def private_mariadb(prefix: str, user: str, password: str) -> PrivateServer:
    """A MariaDB on a free port whose only login is `user` with `password`."""
    port = free_port()
    login = MySqlTarget("reporting", "127.0.0.1", port, "mysql", user, password)
    target = Target("mysql", "mysql", "127.0.0.1", port, login)
    return PrivateServer(MySql(), target, Layout(state_dir(prefix)))


def private_postgres(prefix: str) -> PrivateServer:
    """A PostgreSQL cluster on a free port (superuser postgres, trust on loopback)."""
    port = free_port()
    server = PgServer("127.0.0.1", port, "postgres", "")
    target = Target("postgres", "postgres", "127.0.0.1", port, server)
    return PrivateServer(Postgres(), target, Layout(state_dir(prefix)))


def remove(server: PrivateServer) -> None:
    if server.running():
        server.kill()
    shutil.rmtree(server.layout.state_dir, ignore_errors=True)


def mysql_sessions(
    host: str, port: int, user: str, password: str, database: str, *markers: str
) -> list[tuple]:
    """(id, statement) of the sessions of `database` whose current statement contains every
    marker."""
    conn = pymysql.connect(host=host, port=port, user=user, password=password, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT ID, LEFT(INFO, 200) FROM information_schema.PROCESSLIST "
                "WHERE DB = %s AND ID <> CONNECTION_ID() AND INFO IS NOT NULL",
                (database,),
            )
            return [row for row in cur.fetchall() if all(m in row[1] for m in markers)]
    finally:
        conn.close()


def wait_for(condition, timeout_s: float, what: str, interval_s: float = 0.02):
    """Poll `condition` until it returns something truthy; fail the test after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
