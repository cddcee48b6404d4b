"""The production topology in deploy/: every instance file validates with Dagster's own instance
schema, the run launchers of libraries that are not installed here (dagster-docker,
dagster-k8s) match the config schema those classes declare, the installed variants really
instantiate against local servers (the production one over TLS with the host name verified),
secrets appear only as references to the environment, and the user-code Dockerfile is sane.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import yaml
from dagster import Array, BoolSource, Field, Map, Noneable, Permissive, Shape, StringSource
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.workspace.config_schema import process_workspace_config

from genims_platform.catalog import SOURCE_DATABASES

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
INSTANCE_FILES = sorted(p.name for p in DEPLOY.glob("dagster*.yaml"))
PRODUCTION = "dagster.production.yaml"
VARIANTS = ["dagster.docker.yaml", "dagster.k8s.yaml"]


def _load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def _env_names(node) -> set[str]:
    """Every variable a config refers to with {env: NAME}."""
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return {n for v in node.values() for n in _env_names(v)}
    if isinstance(node, list):
        return {n for v in node for n in _env_names(v)}
    return set()


def _strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def test_deploy_holds_only_known_kinds_of_files():
    known = {*INSTANCE_FILES, "workspace.yaml", "Dockerfile", "Dockerfile.dockerignore"}
    assert {p.name for p in DEPLOY.iterdir()} == known
    assert {PRODUCTION, "dagster.mysql.yaml", *VARIANTS} <= set(INSTANCE_FILES)


@pytest.mark.parametrize("name", INSTANCE_FILES)
def test_instance_files_validate_with_dagsters_schema(name):
    config, custom_class = dagster_instance_config(str(DEPLOY), name)
    assert custom_class is None
    assert "storage" in config
    if "run_launcher" in config:
        launcher = config["run_launcher"]
        assert {"module", "class"} <= set(launcher)


def test_an_invalid_instance_file_is_refused(tmp_path):
    broken = _load(PRODUCTION)
    broken["concurrency"]["pools"]["granularity"] = "table"
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(broken))
    with pytest.raises(dg.DagsterInvalidConfigError, match="granularity"):
        dagster_instance_config(str(tmp_path), "dagster.yaml")


@pytest.mark.parametrize("name", VARIANTS)
def test_the_variants_differ_from_production_only_in_the_run_launcher(name):
    production, variant = _load(PRODUCTION), _load(name)
    assert production.pop("run_launcher")["class"] == "DefaultRunLauncher"
    assert variant.pop("run_launcher")["class"] != "DefaultRunLauncher"
    assert variant == production


# The config schemas of the two launchers, as the libraries declare them (dagster-docker and
# dagster-k8s 0.29 in dagster-io/dagster, python_modules/libraries/): dagster_docker/utils.py
# DOCKER_CONFIG_SCHEMA (with container_context.py DOCKER_CONTAINER_CONTEXT_SCHEMA), which
# DockerRunLauncher.config_type() returns, and dagster_k8s/job.py
# DagsterK8sJobConfig.config_type_run_launcher(), which K8sRunLauncher.config_type() returns.
def _docker_run_launcher_schema() -> dict:
    return {
        "image": Field(StringSource, is_required=False),
        "network": Field(StringSource, is_required=False),
        "registry": Field(
            {
                "url": Field(StringSource),
                "username": Field(StringSource),
                "password": Field(StringSource),
            },
            is_required=False,
        ),
        "env_vars": Field([str], is_required=False),
        "container_kwargs": Field(Permissive(), is_required=False),
        "networks": Field(Array(StringSource), is_required=False),
    }


def _k8s_run_launcher_schema() -> dict:
    optional_map = Field(Map(key_type=str, inner_type=bool), is_required=False)
    container = {
        "image_pull_policy": Field(Noneable(StringSource), is_required=False),
        "image_pull_secrets": Field(
            Noneable(Array(Shape({"name": StringSource}))), is_required=False
        ),
        "service_account_name": Field(Noneable(StringSource), is_required=False),
        "env_config_maps": Field(Noneable(Array(StringSource)), is_required=False),
        "env_secrets": Field(Noneable(Array(StringSource)), is_required=False),
        "env_vars": Field(Noneable(Array(str)), is_required=False),
        "volume_mounts": Field(
            Array(
                Permissive(
                    {
                        "name": StringSource,
                        "mount_path": Field(StringSource, is_required=False),
                        "mount_propagation": Field(StringSource, is_required=False),
                        "read_only": Field(BoolSource, is_required=False),
                        "sub_path": Field(StringSource, is_required=False),
                        "sub_path_expr": Field(StringSource, is_required=False),
                    }
                )
            ),
            is_required=False,
            default_value=[],
        ),
        "volumes": Field(Array(Permissive({"name": str})), is_required=False, default_value=[]),
        "labels": Field(dict, is_required=False),
        "resources": Field(
            Noneable(
                {
                    "limits": Field(dict, is_required=False),
                    "requests": Field(dict, is_required=False),
                }
            ),
            is_required=False,
        ),
        "scheduler_name": Field(Noneable(StringSource), is_required=False),
        "security_context": Field(dict, is_required=False),
    }
    return {
        "job_image": Field(Noneable(StringSource), is_required=False),
        **container,
        "instance_config_map": Field(StringSource, is_required=True),
        "postgres_password_secret": Field(StringSource, is_required=False),
        "dagster_home": Field(
            StringSource, is_required=False, default_value="/opt/dagster/dagster_home"
        ),
        "load_incluster_config": Field(bool, is_required=False, default_value=True),
        "kubeconfig_file": Field(Noneable(str), is_required=False, default_value=None),
        "fail_pod_on_run_failure": Field(bool, is_required=False),
        "run_k8s_config": Field(
            Shape(
                {
                    "container_config": Permissive(),
                    "pod_template_spec_metadata": Permissive(),
                    "pod_spec_config": Permissive(),
                    "job_config": Permissive(),
                    "job_metadata": Permissive(),
                    "job_spec_config": Permissive(),
                }
            ),
            is_required=False,
        ),
        "job_namespace": Field(StringSource, is_required=False, default_value="default"),
        "only_allow_user_defined_k8s_config_fields": Field(
            Shape(
                {
                    "container_config": optional_map,
                    "pod_spec_config": optional_map,
                    "pod_template_spec_metadata": optional_map,
                    "job_metadata": optional_map,
                    "job_spec_config": optional_map,
                    "namespace": Field(BoolSource, is_required=False),
                }
            ),
            is_required=False,
        ),
        "only_allow_user_defined_env_vars": Field(Array(str), is_required=False),
    }


LAUNCHERS = {
    "dagster.docker.yaml": ("dagster_docker", "DockerRunLauncher", _docker_run_launcher_schema),
    "dagster.k8s.yaml": ("dagster_k8s", "K8sRunLauncher", _k8s_run_launcher_schema),
}


def _with_env(monkeypatch, config) -> None:
    for name in _env_names(config):
        monkeypatch.setenv(name, f"value-of-{name.lower()}")


@pytest.mark.parametrize("name", sorted(LAUNCHERS))
def test_launcher_config_matches_what_the_launcher_class_declares(name, monkeypatch):
    module, cls, schema = LAUNCHERS[name]
    launcher = _load(name)["run_launcher"]
    assert (launcher["module"], launcher["class"]) == (module, cls)
    installed = importlib.util.find_spec(module) is not None
    declared = (
        getattr(importlib.import_module(module), cls).config_type() if installed else schema()
    )
    _with_env(monkeypatch, launcher["config"])
    result = process_config(Shape(declared), launcher["config"])
    assert result.success, [e.message for e in result.errors]
    # The schema is strict: a misspelt key is an error, not ignored.
    typo = {**launcher["config"], "imagee": "x"}
    assert not process_config(Shape(declared), typo).success
    if cls == "DockerRunLauncher":
        # DockerRunLauncher refuses these inside container_kwargs (utils.validate_docker_config).
        assert not {"image", "environment", "network"} & set(launcher["config"]["container_kwargs"])
        assert not ("network" in launcher["config"] and "networks" in launcher["config"])


def test_the_default_run_launcher_config_matches_its_class():
    from dagster._core.launcher import DefaultRunLauncher

    launcher = _load(PRODUCTION)["run_launcher"]
    result = process_config(Shape(DefaultRunLauncher.config_type()), launcher.get("config", {}))
    assert result.success
    assert not process_config(Shape(DefaultRunLauncher.config_type()), {"image": "x"}).success


def test_the_production_workspace_validates(monkeypatch):
    workspace = _load("workspace.yaml")
    _with_env(monkeypatch, workspace)
    result = process_workspace_config(workspace)
    assert result.success, [e.message for e in result.errors]
    location = workspace["load_from"][0]["grpc_server"]["location_name"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert location == pyproject["tool"]["dagster"]["code_location_name"]


# Keys whose values are credentials or addresses: always taken from the environment.
BY_REFERENCE = {"username", "password", "hostname", "db_name", "postgres_url", "mysql_url"}
SECRET_LOOKING = re.compile(
    r"(AccountKey=|SharedAccessSignature=|://[^/\s:@]+:[^/\s@]+@|password\s*="
    r"|BEGIN [A-Z ]*PRIVATE)",
    re.IGNORECASE,
)


def _check_references(node, where: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in BY_REFERENCE:
                assert isinstance(value, dict) and set(value) == {"env"}, f"{where}.{key}"
            _check_references(value, f"{where}.{key}")
    elif isinstance(node, list):
        for number, value in enumerate(node):
            _check_references(value, f"{where}[{number}]")


@pytest.mark.parametrize("name", [*INSTANCE_FILES, "workspace.yaml"])
def test_secrets_appear_only_as_references_to_the_environment(name):
    config = _load(name)
    _check_references(config, name)
    for text in _strings(config):
        assert not SECRET_LOOKING.search(text), text
    launcher = config.get("run_launcher", {}).get("config", {})
    # Variables handed to run workers are forwarded by name, never given a value here.
    for entry in launcher.get("env_vars", []):
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", entry), entry


def test_every_variable_the_deployment_needs_is_documented():
    names: set[str] = set()
    for name in [*INSTANCE_FILES, "workspace.yaml"]:
        config = _load(name)
        names |= _env_names(config)
        names |= set(config.get("run_launcher", {}).get("config", {}).get("env_vars", []))
    docs = (ROOT / "docs" / "production.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in docs) == []


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_user_code_dockerfile_is_sane():
    steps = _dockerfile()
    kinds = [k for k, _ in steps]
    assert kinds[0] == "FROM" and re.match(r"python:3\.1[1-9]-slim", steps[0][1])
    users = [v for k, v in steps if k == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    for kind, value in steps:
        if kind == "COPY":
            *sources, _target = shlex.split(value)
            for source in sources:
                assert (ROOT / source).exists(), source
        if kind in {"ENV", "ARG"}:
            for name in re.findall(r"([A-Z_][A-Z0-9_]*)=", value):
                assert not re.search(r"PASSWORD|SECRET|TOKEN|CONNECTION_STRING|KEY", name), name
    copied = {shlex.split(v)[0] for k, v in steps if k == "COPY"}
    # The platform reads its SQL from sql/ beside the package: both must be in the image.
    assert {"genims_platform", "sql", "pyproject.toml"} <= copied
    assert any(k == "RUN" and "pip install" in v and "-e ." in v for k, v in steps)

    command = json.loads(next(v for k, v in steps if k == "CMD"))
    assert command[:3] == ["dagster", "code-server", "start"]
    options = dict(zip(command[3::2], command[4::2], strict=True))
    module = importlib.import_module(options["-m"])
    assert callable(getattr(module, options["-a"]))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert options["--location-name"] == pyproject["tool"]["dagster"]["code_location_name"]
    # Every option exists in the installed CLI.
    help_text = subprocess.run(
        [sys.executable, "-m", "dagster", "code-server", "start", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert all(option in help_text for option in options)
    health = json.loads(next(v for k, v in steps if k == "HEALTHCHECK").split("CMD", 1)[1])
    assert health[:3] == ["dagster", "api", "grpc-health-check"]
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[1:2] == ["*"] or "*" in ignore  # everything excluded unless listed
    assert not any(line.strip() in {"!.env", "!.genims/", "!.venv/"} for line in ignore)


def test_pools_are_one_per_source_database():
    from genims_platform.definitions import defs

    pools = {
        getattr(a.node_def, "pool", None)
        for a in defs().assets or []
        if isinstance(a, dg.AssetsDefinition) and a.is_executable
    } - {None}
    assert pools == {f"source_{logical}" for logical in SOURCE_DATABASES}
    assert _load(PRODUCTION)["concurrency"]["pools"]["default_limit"] >= 1


@pytest.fixture(scope="module")
def tls_servers():
    from genims_platform_tests.security import servers

    reason = servers.missing_binaries()
    if reason:
        pytest.skip(f"the TLS test servers cannot start here: {reason}")
    started = servers.start()
    yield started
    started.stop()


@pytest.mark.tls
@pytest.mark.integration
def test_the_production_instance_runs_on_postgresql_over_verified_tls(
    tls_servers, monkeypatch, tmp_path
):
    from dagster_postgres.utils import pg_url_from_config

    from genims_platform.lib import pg
    from genims_platform.settings import PgServer
    from genims_platform_tests.security.servers import PG_ADMIN

    admin = PgServer(
        "localhost", tls_servers.pg_port, PG_ADMIN, tls_servers.pg_password, "verify-full",
        str(tls_servers.certs.ca),
    )  # fmt: skip
    pg.create_database(admin, "gt_sec_dagster_production")
    env = {
        "DAGSTER_PG_HOST": "localhost",
        "DAGSTER_PG_PORT": str(tls_servers.pg_port),
        "DAGSTER_PG_USER": PG_ADMIN,
        "DAGSTER_PG_PASSWORD": tls_servers.pg_password,
        "DAGSTER_PG_DB": "gt_sec_dagster_production",
        "PGSSLROOTCERT": str(tls_servers.certs.ca),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    production = _load(PRODUCTION)
    instance = dg.DagsterInstance.from_config(*_home(tmp_path, PRODUCTION))
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert limits == production["concurrency"]["runs"]["tag_concurrency_limits"]

        @dg.asset(pool="source_erp")
        def reads_erp() -> None:
            return None

        result = dg.materialize([reads_erp], instance=instance)
        assert instance.get_run_by_id(result.run_id).is_success
        # A pool without its own limit gets default_limit; a per-database limit overrides it.
        info = instance.event_log_storage.get_concurrency_info("source_erp")
        assert info.limit == production["concurrency"]["pools"]["default_limit"]
        assert info.using_default_limit
        instance.event_log_storage.set_concurrency_slots("source_erp", 4)
        assert instance.event_log_storage.get_concurrency_info("source_erp").limit == 4
    finally:
        instance.dispose()
    # libpq takes the CA from PGSSLROOTCERT: with another CA the storage's URL cannot connect.
    config = dagster_instance_config(str(DEPLOY), PRODUCTION)[0]["storage"]["postgres"]
    url = pg_url_from_config({"postgres_db": _resolved(config)})
    monkeypatch.setenv("PGSSLROOTCERT", str(tls_servers.certs.wrong_ca))
    with pytest.raises(psycopg2.OperationalError, match="certificate verify failed"):
        psycopg2.connect(url.replace("postgresql+psycopg2://", "postgresql://")).close()


def _home(folder: Path, name: str) -> tuple[str, str]:
    """A DAGSTER_HOME holding the deploy file unchanged (the instance keeps local artifacts
    next to its config, which must not be the repository)."""
    (folder / name).write_bytes((DEPLOY / name).read_bytes())
    return str(folder), name


def _resolved(storage: dict) -> dict:
    """The postgres_db fields with their environment references resolved."""
    return {
        key: os.environ[value["env"]] if isinstance(value, dict) and "env" in value else value
        for key, value in storage["postgres_db"].items()
    }


@pytest.mark.integration
def test_the_mysql_instance_runs_on_the_local_server(monkeypatch, tmp_path):
    from genims_platform.lib import mysql
    from genims_platform.settings import load_settings

    target = load_settings().target("reporting")
    name = "gt_sec_dagster_mysql"
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(name)}")
        cur.execute(f"CREATE DATABASE {mysql.quote_ident(name)} CHARACTER SET utf8mb4")
    env = {
        "DAGSTER_MYSQL_HOST": target.host,
        "DAGSTER_MYSQL_PORT": str(target.port),
        "DAGSTER_MYSQL_USER": target.user,
        "DAGSTER_MYSQL_PASSWORD": target.password,
        "DAGSTER_MYSQL_DB": name,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    instance = dg.DagsterInstance.from_config(*_home(tmp_path, "dagster.mysql.yaml"))
    try:
        assert type(instance.run_storage).__name__ == "MySQLRunStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_runs(limit=1) == []
    finally:
        instance.dispose()
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(name)}")
