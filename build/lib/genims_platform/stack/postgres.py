"""PostgreSQL for the local stack: the system's binaries, a project-local cluster on loopback."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import psycopg

from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError, first_line, scrub
from genims_platform.settings import PgServer, Settings
from genims_platform.stack import proc
from genims_platform.stack.base import Layout, Log, Probe, Target, dedupe_targets
from genims_platform.stack.state import Record, new_record

READY_TIMEOUT_S = 60


class Postgres:
    name = "postgres"
    label = "PostgreSQL"
    stop_signal = signal.SIGINT  # "fast" shutdown: roll back open transactions, then stop cleanly

    def targets(self, settings: Settings) -> list[Target]:
        """The primary server, and the Dagster instance storage server when it is another one."""
        servers = [settings.pg_primary, settings.dagster_pg]
        return dedupe_targets(self.name, [(s.host, s.port, s) for s in servers])

    def probe(self, target: Target) -> Probe:
        """A real login with the configured user and password."""
        server: PgServer = target.login
        params = pg.conninfo(server, "postgres", application_name="genims_stack")
        params["connect_timeout"] = 3
        try:
            with psycopg.connect(**params) as conn:
                conn.execute("SELECT 1")
            return Probe(answers=True)
        except psycopg.Error as exc:
            reason = scrub(first_line(exc), [server.password])
            return Probe(
                answers=False, occupied=proc.port_open(target.host, target.port), reason=reason
            )

    def start(self, target: Target, layout: Layout, log: Log) -> Record:
        server: PgServer = target.login
        bindir = find_bindir()
        if bindir is None and proc.can_apt():
            proc.apt_install(["postgresql"], layout.log_file("apt"), log)
            bindir = find_bindir()
        if bindir is None:
            raise GenimsError(
                "PostgreSQL is not installed (no initdb/postgres found via pg_config --bindir, "
                "/usr/lib/postgresql/*/bin or PATH); install the PostgreSQL server package, or "
                "point PG_MASTER_HOST/PORT at a running server"
            )
        if proc.port_open(target.host, target.port):
            # Debian's postinst can start its own cluster on the standard port.
            raise GenimsError(
                f"port {target.port} is now taken by another PostgreSQL (a freshly installed "
                "system cluster?); stop it (`pg_ctlcluster <version> main stop`) or set "
                "PG_MASTER_PORT to a free port"
            )

        account = proc.service_account("postgres")
        data_dir = layout.data_dir(target.key)
        run_dir = layout.run_dir(target.key)
        log_file = layout.log_file(target.key)
        proc.prepare_dir(layout.state_dir, None)
        proc.check_reachable(layout.state_dir, account)
        proc.prepare_dir(data_dir, account, mode=0o700)
        proc.prepare_dir(run_dir, account, mode=0o755)

        if not (data_dir / "PG_VERSION").exists():
            if any(data_dir.iterdir()):
                raise GenimsError(
                    f"{data_dir} is neither empty nor a PostgreSQL data directory; move it away"
                )
            log(f"postgres: creating a cluster in {data_dir} (superuser {server.user!r})")
            proc.run_logged(
                [
                    bindir / "initdb",
                    "--pgdata",
                    data_dir,
                    "--username",
                    server.user,
                    # Trust, but only on the local socket and loopback: initdb's pg_hba.conf
                    # lists nothing else, and the server listens on 127.0.0.1 only.
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    _locale(),
                ],
                log_file,
                what="initdb",
                account=account,
                timeout=180,
            )

        binary = bindir / "postgres"
        log(f"postgres: starting {binary} on 127.0.0.1:{target.port} (log {log_file})")
        child, offset = proc.spawn(
            [
                binary,
                "-D",
                data_dir,
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"port={target.port}",
                "-c",
                f"unix_socket_directories={run_dir}",
            ],
            log_file,
            what="PostgreSQL",
            account=account,
        )
        seconds = proc.wait_ready(
            lambda: self.probe(target).answers,
            child,
            what=f"PostgreSQL on 127.0.0.1:{target.port}",
            log_path=log_file,
            offset=offset,
            timeout=READY_TIMEOUT_S,
        )
        log(f"postgres: up in {seconds:.1f} s")
        return new_record(
            key=target.key,
            component=self.name,
            pid=child.pid,
            host=target.host,
            port=target.port,
            data_dir=data_dir,
            binary=binary,
            log_file=log_file,
        )


def find_bindir() -> Path | None:
    """Where initdb and postgres live: pg_config's answer, Debian's versioned dirs, then PATH."""
    candidates: list[Path] = []
    pg_config = proc.find_executable("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [str(pg_config), "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    versioned = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versioned, key=lambda p: _version_key(p.parent.name), reverse=True)
    initdb = proc.find_executable("initdb")
    if initdb:
        candidates.append(initdb.resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def _locale() -> str:
    """C.UTF-8 where the system has it (byte-order sorting, Unicode-aware upper/lower), else C."""
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "C"
    names = {line.strip().lower() for line in out.stdout.splitlines()}
    return "C.UTF-8" if names & {"c.utf8", "c.utf-8"} else "C"
