"""Throwaway TLS-only database servers for the transport-security tests.

A test CA and a server certificate (valid for the name ``localhost`` only, so host-name
verification can be seen to work) are made with ``openssl``; then a PostgreSQL cluster that
accepts nothing but ``hostssl`` logins and a MariaDB server with
``require_secure_transport=ON`` are started on free loopback ports, with the binaries and the
process helpers the local stack uses. Everything lives in one temporary directory that is
removed afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pymysql

from genims_platform.stack import proc
from genims_platform.stack.mysql import find_server
from genims_platform.stack.postgres import find_bindir

PG_ADMIN = "gt_sec_tls_admin"
MY_ADMIN = "gt_sec_tls_admin"


def missing_binaries() -> str | None:
    """Why the TLS servers cannot be started here, or None when they can."""
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, postgres) are not installed"
    server = find_server()
    if server is None or server.flavour != "mariadb":
        return "the MariaDB server (mariadbd) is not installed"
    if shutil.which("mariadb-install-db") is None:
        return "mariadb-install-db is not installed"
    return None


def free_port(start: int) -> int:
    """The first port from `start` on which nothing listens on loopback."""
    for port in range(start, start + 500):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {start}..{start + 499}")


@dataclass
class Certificates:
    ca: Path
    wrong_ca: Path
    cert: Path
    key: Path


def make_certificates(folder: Path) -> Certificates:
    """A CA, a certificate for ``localhost`` signed by it, and an unrelated second CA."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for name in ("ca", "wrong_ca"):
        openssl(
            "req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=GenIMS test {name}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip
    openssl(
        "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        # Only the name: connecting to 127.0.0.1 must fail host-name verification.
        "subjectAltName=DNS:localhost\n"
    )
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
    )  # fmt: skip
    return Certificates(
        folder / "ca.pem", folder / "wrong_ca.pem", folder / "server.pem", folder / "server.key"
    )


@dataclass
class TlsServers:
    """Where the TLS-only servers answer and how to log in (passwords generated per session)."""

    root: Path
    certs: Certificates
    pg_port: int
    my_port: int
    pg_password: str = field(repr=False)
    my_password: str = field(repr=False)
    children: list[subprocess.Popen] = field(default_factory=list, repr=False)
    seconds: dict[str, float] = field(default_factory=dict)

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                proc.stop_child(child)
        self.children.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _owned_copy(source: Path, target_dir: Path, account, mode: int) -> Path:
    target = target_dir / source.name
    shutil.copy(source, target)
    if account is not None:
        os.chown(target, account.pw_uid, account.pw_gid)
    target.chmod(mode)
    return target


def _start_postgres(servers: TlsServers) -> None:
    bindir = find_bindir()
    assert bindir is not None
    account = proc.service_account("postgres")
    base = servers.root / "pg"
    data, run, secrets_dir = base / "data", base / "run", base / "tls"
    for folder, mode in ((base, 0o755), (data, 0o700), (run, 0o755), (secrets_dir, 0o700)):
        proc.prepare_dir(folder, account, mode=mode)
    pwfile = _write(base / "pwfile", servers.pg_password)
    if account is not None:
        os.chown(pwfile, account.pw_uid, account.pw_gid)
    log = base / "server.log"
    began = time.monotonic()
    proc.run_logged(
        [
            bindir / "initdb", "--pgdata", data, "--username", PG_ADMIN,
            "--pwfile", pwfile, "--auth", "scram-sha-256", "--encoding", "UTF8",
            "--locale", "C", "--no-sync",
        ],
        log, what="initdb (TLS test cluster)", account=account, timeout=120,
    )  # fmt: skip
    pwfile.unlink()
    # Nothing but TLS, from loopback only: a plaintext login finds no pg_hba entry.
    (data / "pg_hba.conf").write_text(
        "hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n"
    )
    cert = _owned_copy(servers.certs.cert, secrets_dir, account, 0o600)
    key = _owned_copy(servers.certs.key, secrets_dir, account, 0o600)
    child, offset = proc.spawn(
        [
            bindir / "postgres", "-D", data,
            "-c", "listen_addresses=127.0.0.1", "-c", f"port={servers.pg_port}",
            "-c", f"unix_socket_directories={run}",
            "-c", "ssl=on", "-c", f"ssl_cert_file={cert}", "-c", f"ssl_key_file={key}",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "shared_buffers=32MB",
        ],
        log, what="PostgreSQL (TLS test cluster)", account=account,
    )  # fmt: skip
    servers.children.append(child)

    def ready() -> bool:
        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=servers.pg_port,
                user=PG_ADMIN,
                password=servers.pg_password,
                dbname="postgres",
                sslmode="require",
                connect_timeout=2,
            ):
                return True
        except psycopg.Error:
            return False

    proc.wait_ready(ready, child, what="TLS PostgreSQL", log_path=log, offset=offset, timeout=60)
    servers.seconds["postgres"] = time.monotonic() - began


def _start_mariadb(servers: TlsServers) -> None:
    server = find_server()
    assert server is not None
    account = proc.service_account("mysql")
    base = servers.root / "my"
    data, run, secrets_dir = base / "data", base / "run", base / "tls"
    for folder, mode in ((base, 0o755), (data, 0o750), (run, 0o755), (secrets_dir, 0o700)):
        proc.prepare_dir(folder, account, mode=mode)
    log = base / "server.log"
    user = [f"--user={account.pw_name}"] if account is not None else []
    began = time.monotonic()
    proc.run_logged(
        [
            shutil.which("mariadb-install-db"), "--no-defaults", f"--datadir={data}",
            "--auth-root-authentication-method=normal", "--skip-test-db", *user,
        ],
        log, what="mariadb-install-db (TLS test server)", timeout=180,
    )  # fmt: skip
    certs = [
        _owned_copy(path, secrets_dir, account, 0o600)
        for path in (servers.certs.ca, servers.certs.cert, servers.certs.key)
    ]
    socket_path = run / "mysqld.sock"
    child, offset = proc.spawn(
        [
            server.path, "--no-defaults", f"--datadir={data}", f"--port={servers.my_port}",
            "--bind-address=127.0.0.1", f"--socket={socket_path}",
            f"--pid-file={run / 'mysqld.pid'}", "--skip-name-resolve", "--local-infile=1",
            "--character-set-server=utf8mb4", "--innodb-buffer-pool-size=32M",
            f"--ssl-ca={certs[0]}", f"--ssl-cert={certs[1]}", f"--ssl-key={certs[2]}",
            "--require-secure-transport=ON", *user,
        ],
        log, what="MariaDB (TLS test server)", cwd=base,
    )  # fmt: skip
    servers.children.append(child)

    def ready() -> bool:
        try:
            pymysql.connect(unix_socket=str(socket_path), user="root", password="").close()
            return True
        except pymysql.err.MySQLError:
            return False

    proc.wait_ready(ready, child, what="TLS MariaDB", log_path=log, offset=offset, timeout=90)
    # The unix socket counts as a secure transport; the account gets its password as a
    # bound parameter.
    conn = pymysql.connect(unix_socket=str(socket_path), user="root", password="")
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (MY_ADMIN, servers.my_password))
            cur.execute("GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION", (MY_ADMIN,))
            cur.execute("SET GLOBAL local_infile = 1")
        conn.commit()
    finally:
        conn.close()
    servers.seconds["mariadb"] = time.monotonic() - began


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def start() -> TlsServers:
    """Certificates, then both servers; stop() removes everything again."""
    root = Path(tempfile.mkdtemp(prefix="gt_sec_tls_", dir="/tmp"))
    # The servers run as their system users, which must be able to reach their folders.
    root.chmod(0o755)
    certs_dir = root / "certs"
    certs_dir.mkdir()
    certs_dir.chmod(0o755)
    servers = TlsServers(
        root=root,
        certs=make_certificates(certs_dir),
        pg_port=free_port(25432),
        my_port=free_port(23306),
        pg_password=f"gt-sec-pg-{secrets.token_hex(8)}",
        my_password=f"gt-sec-my-{secrets.token_hex(8)}",
    )
    for path in (servers.certs.ca, servers.certs.wrong_ca):
        path.chmod(0o644)
    try:
        _start_postgres(servers)
        _start_mariadb(servers)
    except BaseException:
        servers.stop()
        raise
    return servers
