"""The local stack against real servers: reuse of the running ones, project-local ones on free
ports (never 5432/3306/10000), idempotent `up`, `status`, `down`, and clear start failures."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from genims_platform import stack
from genims_platform.lib import mysql as mysql_lib
from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError
from genims_platform.settings import Settings, load_settings
from genims_platform.stack import azurite, proc
from genims_platform.stack.base import OWNER_EXTERNAL, OWNER_PROJECT, OWNER_REUSED

# Microsoft's documented, public key of the Azurite development account (not a secret).
AZURITE_DEV_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
MYSQL_TEST_PASSWORD = "gt-stack-Pw-7c1d"
REPO_NODE_DIR = Path(__file__).resolve().parents[2] / ".genims" / "node"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(state_dir: Path, **overrides: str) -> Settings:
    """The test session's own environment with a temporary state directory and `overrides`."""
    return load_settings({**os.environ, "GENIMS_STATE_DIR": str(state_dir), **overrides})


def recorded(state_dir: Path) -> dict:
    """The servers stack.json says this project started."""
    path = state_dir / "stack.json"
    return json.loads(path.read_text())["services"] if path.exists() else {}


def mysql_ports(port: int) -> dict[str, str]:
    return {f"MYSQL_{t}_PORT": str(port) for t in ("REPORTING", "ANALYTICS", "AUDIT")}


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    """tmp_path, reachable by the postgres/mysql users when the servers must run as them.

    pytest keeps its temporary tree private (0700); as root the servers run as system users, so
    the directories are made searchable for the test and restored afterwards.
    """
    changed: list[tuple[Path, int]] = []
    if proc.is_root():
        for folder in [tmp_path, *tmp_path.parents]:
            mode = folder.stat().st_mode
            if mode & stat.S_IXOTH:
                break
            changed.append((folder, stat.S_IMODE(mode)))
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
    try:
        yield tmp_path
    finally:
        for folder, mode in changed:
            folder.chmod(mode)


@pytest.fixture(scope="session")
def azurite_node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One npm install of Azurite per session (or the project's own, when `stack up` made it)."""
    if azurite.azurite_binary(REPO_NODE_DIR).exists():
        return REPO_NODE_DIR
    node_dir = tmp_path_factory.mktemp("azurite-node")
    azurite.ensure_installed(node_dir, node_dir / "npm.log", lambda _msg: None)
    return node_dir


@pytest.fixture
def stopped_afterwards() -> Iterator[list[Settings]]:
    """Settings whose project-started servers are stopped however the test ends."""
    started: list[Settings] = []
    yield started
    for settings in started:
        stack.down(settings)


def test_blob_endpoint_parsing() -> None:
    dev = azurite.blob_endpoint("UseDevelopmentStorage=true")
    assert (dev.scheme, dev.host, dev.port, dev.account) == (
        "http",
        "127.0.0.1",
        10000,
        "devstoreaccount1",
    )
    custom = azurite.blob_endpoint(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=abc==;"
        "BlobEndpoint=http://127.0.0.1:10123/devstoreaccount1;"
    )
    assert (custom.host, custom.port, custom.account) == ("127.0.0.1", 10123, "devstoreaccount1")
    cloud = azurite.blob_endpoint("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=k==")
    assert (cloud.host, cloud.port) == ("acme.blob.core.windows.net", 443)
    with pytest.raises(GenimsError) as info:
        azurite.blob_endpoint("AccountKey=very-secret==")
    assert "very-secret" not in str(info.value)


@pytest.mark.integration
@pytest.mark.stack
def test_up_reuses_running_servers_and_down_leaves_them_alone(state_dir: Path) -> None:
    settings = settings_for(state_dir)
    for component in ("postgres", "mysql"):
        for target in stack.COMPONENTS[component].targets(settings):
            if not stack.COMPONENTS[component].probe(target).answers:
                pytest.skip(f"no {component} answers at {target.address} on this machine")

    statuses = stack.up(settings, components=("postgres", "mysql"))

    assert {s.component for s in statuses} == {"postgres", "mysql"}
    assert all(s.running and s.owner == OWNER_REUSED and s.pid is None for s in statuses)
    assert recorded(state_dir) == {}
    lines = stack.down(settings)
    assert any(line.startswith("left alone postgres") for line in lines)
    assert any(line.startswith("left alone mysql") for line in lines)
    assert not any(line.startswith("stopped") for line in lines)
    after = {s.component: s for s in stack.status(settings) if s.component != "azurite"}
    assert after["postgres"].running and after["postgres"].owner == OWNER_EXTERNAL
    assert after["mysql"].running and after["mysql"].owner == OWNER_EXTERNAL


@pytest.mark.integration
@pytest.mark.stack
def test_project_local_postgres_and_mariadb(
    state_dir: Path, stopped_afterwards: list[Settings]
) -> None:
    pg_port = mysql_port = free_port()
    while mysql_port == pg_port:
        mysql_port = free_port()
    own_mysql = {
        "MYSQL_REPORTING_PORT": str(mysql_port),
        "MYSQL_ANALYTICS_PORT": str(mysql_port),
        "MYSQL_REPORTING_USER": "gt_stack_user",
        "MYSQL_ANALYTICS_USER": "gt_stack_user",
        "MYSQL_REPORTING_PASSWORD": MYSQL_TEST_PASSWORD,
        "MYSQL_ANALYTICS_PASSWORD": MYSQL_TEST_PASSWORD,
    }
    # The audit database stays on the machine's running server: `down` must leave that alone.
    settings = settings_for(state_dir, PG_MASTER_PORT=str(pg_port), **own_mysql)
    stopped_afterwards.append(settings)
    audit = settings.target("audit")
    if not proc.port_open(audit.host, audit.port):
        pytest.skip(f"no MySQL-compatible server at {audit.host}:{audit.port} on this machine")
    messages: list[str] = []

    first = stack.up(settings, components=("postgres", "mysql"), log=messages.append)

    by_address = {s.address: s for s in first}
    ours = [by_address[f"127.0.0.1:{pg_port}"], by_address[f"127.0.0.1:{mysql_port}"]]
    assert all(s.running and s.owner == OWNER_PROJECT and s.pid for s in ours)
    assert by_address[f"{audit.host}:{audit.port}"].owner == OWNER_REUSED

    with pg.connect(settings.pg_primary, "postgres") as conn:
        listen, encoding = conn.execute(
            "SELECT current_setting('listen_addresses'), current_setting('server_encoding')"
        ).fetchone()
    assert (listen, encoding) == ("127.0.0.1", "UTF8")

    data_file = state_dir / "rows.tsv"
    data_file.write_text("1\tZürich ✓\n2\tŁódź\n", encoding="utf-8")
    with (
        mysql_lib.connect(
            settings.target("reporting"), database=None, local_infile=True, autocommit=True
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("CREATE DATABASE gt_stack_check CHARACTER SET utf8mb4")
        cur.execute("CREATE TABLE gt_stack_check.t (id INT PRIMARY KEY, city VARCHAR(40))")
        cur.execute(
            f"LOAD DATA LOCAL INFILE '{data_file}' INTO TABLE gt_stack_check.t "
            "CHARACTER SET utf8mb4 (id, city)"
        )
        cur.execute(
            "SELECT engine, table_collation FROM information_schema.tables "
            "WHERE table_schema = 'gt_stack_check'"
        )
        engine, collation = cur.fetchone()
        cur.execute("SELECT city FROM gt_stack_check.t ORDER BY id")
        cities = [row[0] for row in cur.fetchall()]
    assert engine == "InnoDB" and collation.startswith("utf8mb4")
    assert cities == ["Zürich ✓", "Łódź"]

    again = stack.up(settings, components=("postgres", "mysql"), log=messages.append)
    assert [(s.address, s.owner, s.pid) for s in again] == [
        (s.address, s.owner, s.pid) for s in first
    ]
    assert all(s.note in ("already running", "reused") for s in again)

    status = {s.address: s for s in stack.status(settings)}
    assert status[f"127.0.0.1:{pg_port}"].owner == OWNER_PROJECT
    assert status[f"127.0.0.1:{mysql_port}"].owner == OWNER_PROJECT
    assert status[f"{audit.host}:{audit.port}"].owner == OWNER_EXTERNAL
    assert "this project" in stack.format_status(list(status.values()))

    lines = stack.down(settings)

    assert f"stopped postgres at 127.0.0.1:{pg_port} (pid {ours[0].pid})" in lines
    assert f"stopped mysql at 127.0.0.1:{mysql_port} (pid {ours[1].pid})" in lines
    assert f"left alone mysql at {audit.host}:{audit.port} (not started by this project)" in lines
    assert not proc.port_open("127.0.0.1", pg_port)
    assert not proc.port_open("127.0.0.1", mysql_port)
    assert stack.COMPONENTS["mysql"].probe(stack.COMPONENTS["mysql"].targets(settings)[1]).answers
    second = stack.down(settings)
    assert not [line for line in second if line.startswith("stopped")]
    assert all(f":{port}" not in line for line in second for port in (pg_port, mysql_port))

    # The password never reaches a message, stack.json or a log file.
    written = "\n".join(messages) + "".join(
        path.read_text(errors="replace") for path in state_dir.rglob("*.json")
    )
    written += "".join(path.read_text(errors="replace") for path in (state_dir / "logs").iterdir())
    assert MYSQL_TEST_PASSWORD not in written


@pytest.mark.integration
@pytest.mark.stack
def test_azurite_blob_round_trip(
    state_dir: Path, azurite_node_dir: Path, stopped_afterwards: list[Settings]
) -> None:
    from azure.storage.blob import BlobServiceClient

    port = free_port()
    connection_string = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_DEV_KEY};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    (state_dir / "node").symlink_to(azurite_node_dir, target_is_directory=True)
    settings = settings_for(state_dir, AZURE_STORAGE_CONNECTION_STRING=connection_string)
    stopped_afterwards.append(settings)

    [started] = stack.up(settings, components=("azurite",))

    assert started.running and started.owner == OWNER_PROJECT
    assert started.address == f"127.0.0.1:{port}"
    service = BlobServiceClient.from_connection_string(connection_string)
    container = service.create_container("gt-stack")
    container.upload_blob("hello.txt", b"round trip")
    assert container.download_blob("hello.txt").readall() == b"round trip"
    assert (state_dir / "azurite").is_dir()

    [again] = stack.up(settings, components=("azurite",))
    assert (again.pid, again.note) == (started.pid, "already running")
    assert stack.down(settings)[0] == f"stopped azurite at 127.0.0.1:{port} (pid {started.pid})"
    assert not proc.port_open("127.0.0.1", port)


@pytest.fixture
def foreign_listener() -> Iterator[int]:
    """A port where something that is no database answers every connection with HTTP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


@pytest.mark.integration
@pytest.mark.stack
def test_port_taken_by_something_else_is_a_clear_error(
    state_dir: Path, foreign_listener: int
) -> None:
    settings = settings_for(state_dir, PG_MASTER_PORT=str(foreign_listener))

    with pytest.raises(GenimsError, match=f"127.0.0.1:{foreign_listener} is in use"):
        stack.up(settings, components=("postgres",))

    assert not (state_dir / "postgres").exists()


@pytest.mark.integration
@pytest.mark.stack
def test_server_that_cannot_bind_fails_with_its_log(
    state_dir: Path, stopped_afterwards: list[Settings]
) -> None:
    # Bound but not listening: connections are refused, yet the server's own bind() fails.
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        port = blocker.getsockname()[1]
        settings = settings_for(state_dir, **mysql_ports(port))
        stopped_afterwards.append(settings)

        with pytest.raises(GenimsError) as info:
            stack.up(settings, components=("mysql",))

    message = str(info.value)
    assert f"on 127.0.0.1:{port}" in message and "exited during start-up" in message
    assert "last lines of" in message and "Address already in use" in message
    assert recorded(state_dir) == {}


@pytest.mark.integration
@pytest.mark.stack
def test_unreachable_state_dir_is_explained(tmp_path: Path) -> None:
    if not proc.is_root():
        pytest.skip("only root hands the servers to the postgres system user")
    try:
        proc.check_reachable(tmp_path, proc.service_account("postgres"))
    except GenimsError:
        pass
    else:
        pytest.skip("the temporary directory is reachable by the postgres user here")
    settings = settings_for(tmp_path, PG_MASTER_PORT=str(free_port()))

    with pytest.raises(GenimsError, match=r"cannot reach .*chmod o\+x"):
        stack.up(settings, components=("postgres",))


def test_format_status_is_aligned() -> None:
    table = stack.format_status(
        [
            stack.ServiceStatus("postgres", "127.0.0.1:5432", True, OWNER_REUSED, None, "reused"),
            stack.ServiceStatus("azurite", "127.0.0.1:10000", True, OWNER_PROJECT, 4242, ""),
        ]
    )
    header, first, second = table.splitlines()
    assert header.split() == ["COMPONENT", "STATE", "ADDRESS", "OWNER", "PID", "NOTE"]
    assert first.index("127.0.0.1:5432") == second.index("127.0.0.1:10000")
    assert "4242" in second and "external (reused)" in first
