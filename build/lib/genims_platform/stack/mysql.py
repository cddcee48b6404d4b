"""The MySQL-compatible server of the local stack: MySQL if installed, else MariaDB."""

from __future__ import annotations

import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pymysql

from genims_platform.lib.errors import GenimsError, first_line, scrub
from genims_platform.settings import MySqlTarget, Settings
from genims_platform.stack import proc
from genims_platform.stack.base import Layout, Log, Probe, Target, dedupe_targets
from genims_platform.stack.state import Record, new_record

READY_TIMEOUT_S = 90
_SBIN = ("/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin", "/usr/bin")


@dataclass(frozen=True)
class ServerBinary:
    path: Path
    flavour: str  # "mysql" or "mariadb"


class MySql:
    name = "mysql"
    label = "MySQL-compatible server"
    stop_signal = signal.SIGTERM  # a normal shutdown: InnoDB flushes and closes cleanly

    def targets(self, settings: Settings) -> list[Target]:
        """The three target databases usually share one server: one target per host:port."""
        logins = [settings.target(logical) for logical in ("reporting", "analytics", "audit")]
        return dedupe_targets(self.name, [(t.host, t.port, t) for t in logins])

    def probe(self, target: Target) -> Probe:
        """A real login with the configured user and password (no database selected)."""
        login: MySqlTarget = target.login
        try:
            conn = pymysql.connect(
                host=target.host,
                port=target.port,
                user=login.user,
                password=login.password,
                connect_timeout=3,
                read_timeout=5,
                ssl={"ca": login.ssl_ca} if login.ssl_ca else None,
            )
        except pymysql.err.MySQLError as exc:
            reason = scrub(first_line(exc), [login.password])
            return Probe(
                answers=False, occupied=proc.port_open(target.host, target.port), reason=reason
            )
        conn.close()
        return Probe(answers=True)

    def start(self, target: Target, layout: Layout, log: Log) -> Record:
        login: MySqlTarget = target.login
        server = find_server()
        if server is None and proc.can_apt():
            proc.apt_install(["mariadb-server"], layout.log_file("apt"), log)
            server = find_server()
        if server is None:
            raise GenimsError(
                "no MySQL-compatible server is installed (neither mysqld nor mariadbd found); "
                "install MySQL or MariaDB, or point MYSQL_*_HOST/PORT at a running server"
            )
        if proc.port_open(target.host, target.port):
            raise GenimsError(
                f"port {target.port} is now taken (a freshly installed system server?); stop "
                "it or set MYSQL_REPORTING_PORT, MYSQL_ANALYTICS_PORT and MYSQL_AUDIT_PORT to a "
                "free port"
            )

        account = proc.service_account("mysql")
        data_dir = layout.data_dir(target.key)
        run_dir = layout.run_dir(target.key)
        log_file = layout.log_file(target.key)
        socket_path = run_dir / "mysqld.sock"
        proc.prepare_dir(layout.state_dir, None)
        proc.check_reachable(layout.state_dir, account)
        proc.prepare_dir(data_dir, account, mode=0o750)
        proc.prepare_dir(run_dir, account, mode=0o755)

        fresh = not (data_dir / "mysql").is_dir()
        if fresh:
            if any(data_dir.iterdir()):
                raise GenimsError(
                    f"{data_dir} is neither empty nor a MySQL data directory; move it away"
                )
            log(f"mysql: initialising a {server.flavour} data directory in {data_dir}")
            proc.run_logged(
                _init_command(server, data_dir, account is not None),
                log_file,
                what=f"{server.flavour} data directory initialisation",
                timeout=300,
            )

        argv: list[str | Path] = [
            server.path,
            "--no-defaults",
            f"--datadir={data_dir}",
            f"--port={target.port}",
            "--bind-address=127.0.0.1",
            f"--socket={socket_path}",
            f"--pid-file={run_dir / 'mysqld.pid'}",
            # The platform bulk-loads with LOAD DATA LOCAL INFILE into utf8mb4 InnoDB tables.
            "--local-infile=1",
            "--character-set-server=utf8mb4",
            "--default-storage-engine=InnoDB",
            "--skip-name-resolve",
            # The audit ingest and the bulk loads write large batches of wide rows: a buffer
            # pool and redo log sized for that instead of the 128 MB / 96 MB defaults.
            "--innodb-buffer-pool-size=1G",
            "--innodb-log-file-size=512M",
        ]
        if server.flavour == "mysql":
            # MySQL 8 would also open the X protocol on 33060 and keep a binary log by default.
            argv += ["--mysqlx=OFF", "--skip-log-bin"]
        if account is not None:
            argv.append(f"--user={account.pw_name}")

        log(f"mysql: starting {server.path} on 127.0.0.1:{target.port} (log {log_file})")
        child, offset = proc.spawn(argv, log_file, what=server.flavour, cwd=layout.state_dir)
        seconds = proc.wait_ready(
            lambda: _speaks_mysql(target.port),
            child,
            what=f"{server.flavour} on 127.0.0.1:{target.port}",
            log_path=log_file,
            offset=offset,
            timeout=READY_TIMEOUT_S,
        )
        if fresh:
            _create_login(socket_path, login)
        result = self.probe(target)
        if not result.answers:
            proc.stop_child(child)
            raise GenimsError(
                f"{server.flavour} started on 127.0.0.1:{target.port}, but logging in as "
                f"{login.user!r} failed ({result.reason}); the data directory {data_dir} was "
                f"created for other credentials: fix {login.env_prefix}_USER/PASSWORD, or remove "
                "that directory to start afresh"
            )
        log(f"mysql: up in {seconds:.1f} s")
        return new_record(
            key=target.key,
            component=self.name,
            pid=child.pid,
            host=target.host,
            port=target.port,
            data_dir=data_dir,
            binary=server.path,
            log_file=log_file,
        )


def find_server() -> ServerBinary | None:
    """MySQL's mysqld when it really is MySQL (Debian links mysqld to mariadbd), else MariaDB."""
    mysqld = proc.find_executable("mysqld", _SBIN)
    if mysqld and "mariadb" not in _version(mysqld).lower():
        return ServerBinary(mysqld, "mysql")
    mariadbd = proc.find_executable("mariadbd", _SBIN)
    if mariadbd:
        return ServerBinary(mariadbd, "mariadb")
    if mysqld:
        return ServerBinary(mysqld, "mariadb")
    return None


def _version(binary: Path) -> str:
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout + out.stderr


def _init_command(server: ServerBinary, data_dir: Path, as_root: bool) -> list[str | Path]:
    user = ["--user=mysql"] if as_root else []
    if server.flavour == "mysql":
        return [
            server.path,
            "--no-defaults",
            "--initialize-insecure",
            f"--datadir={data_dir}",
            *user,
        ]
    installer = proc.find_executable("mariadb-install-db", _SBIN) or proc.find_executable(
        "mysql_install_db", _SBIN
    )
    if installer is None:
        raise GenimsError("mariadb-install-db was not found next to the MariaDB server")
    return [
        installer,
        "--no-defaults",
        f"--datadir={data_dir}",
        # root logs in with a password (empty at first), not only through the unix socket.
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        *user,
    ]


def _speaks_mysql(port: int) -> bool:
    """Whether the server sends its greeting (handshake v10, or an error packet) on connect."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.settimeout(2)
            head = sock.recv(5)
    except OSError:
        return False
    return len(head) == 5 and head[4] in (0x0A, 0xFF)


def _create_login(socket_path: Path, login: MySqlTarget) -> None:
    """Give the configured account all privileges from loopback, on a fresh data directory.

    A fresh server lets root in through its unix socket without a password; the configured
    password travels as a bound parameter, never on a command line or in a file.
    """
    try:
        conn = pymysql.connect(unix_socket=str(socket_path), user="root", password="")
    except pymysql.err.MySQLError as exc:
        raise GenimsError(f"cannot log in to the fresh server as root: {first_line(exc)}") from None
    try:
        with conn.cursor() as cur:
            for host in ("localhost", "127.0.0.1", "::1"):
                account = (login.user, host)
                cur.execute(
                    "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (*account, login.password)
                )
                cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (*account, login.password))
                cur.execute("GRANT ALL PRIVILEGES ON *.* TO %s@%s WITH GRANT OPTION", account)
        conn.commit()
    except pymysql.err.MySQLError as exc:
        reason = scrub(first_line(exc), [login.password])
        raise GenimsError(
            f"cannot create the login {login.user!r} on the fresh server: {reason}"
        ) from None
    finally:
        conn.close()
