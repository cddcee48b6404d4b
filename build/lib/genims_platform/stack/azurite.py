"""Azurite, the Azure Blob Storage emulator, installed into the project with npm."""

from __future__ import annotations

import signal
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from genims_platform.lib.errors import GenimsError
from genims_platform.settings import Settings
from genims_platform.stack import proc
from genims_platform.stack.base import Layout, Log, Probe, Target, is_loopback
from genims_platform.stack.state import Record, new_record

READY_TIMEOUT_S = 60
PACKAGE = "azurite@3"
DEV_ACCOUNT = "devstoreaccount1"


@dataclass(frozen=True)
class BlobEndpoint:
    """Where the connection string's blob service answers (never its key)."""

    scheme: str
    host: str
    port: int
    account: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/"


def blob_endpoint(connection_string: str) -> BlobEndpoint:
    """The blob endpoint of an Azure storage connection string.

    `UseDevelopmentStorage=true` means the emulator's default, http://127.0.0.1:10000, with the
    development account in the path.
    """
    parts: dict[str, str] = {}
    for item in connection_string.split(";"):
        name, sep, value = item.partition("=")
        if sep:
            parts[name.strip().lower()] = value.strip()
    if parts.get("usedevelopmentstorage", "").lower() == "true":
        return BlobEndpoint("http", "127.0.0.1", 10000, DEV_ACCOUNT)
    account = parts.get("accountname", "")
    if "blobendpoint" in parts:
        url = urlsplit(parts["blobendpoint"])
        if url.scheme not in ("http", "https") or not url.hostname:
            raise GenimsError(
                "AZURE_STORAGE_CONNECTION_STRING has a BlobEndpoint that is not an http(s) URL"
            )
        port = url.port or (443 if url.scheme == "https" else 80)
        path_account = url.path.strip("/").split("/")[0]
        return BlobEndpoint(url.scheme, url.hostname, port, path_account or account)
    if account:
        suffix = parts.get("endpointsuffix", "core.windows.net")
        scheme = parts.get("defaultendpointsprotocol", "https")
        return BlobEndpoint(
            scheme, f"{account}.blob.{suffix}", 443 if scheme == "https" else 80, account
        )
    # The string holds the account key: say what is missing without quoting it.
    raise GenimsError(
        "AZURE_STORAGE_CONNECTION_STRING names no blob endpoint: give UseDevelopmentStorage=true, "
        "a BlobEndpoint=..., or an AccountName=..."
    )


class Azurite:
    name = "azurite"
    label = "Azurite blob emulator"
    stop_signal = signal.SIGTERM

    def targets(self, settings: Settings) -> list[Target]:
        endpoint = blob_endpoint(settings.azure_connection_string)
        return [Target(self.name, self.name, endpoint.host, endpoint.port, endpoint)]

    def probe(self, target: Target) -> Probe:
        """An HTTP request to the blob endpoint; Azure-style answers carry x-ms-request-id."""
        endpoint: BlobEndpoint = target.login
        url = f"{endpoint.url}{endpoint.account}?comp=list"
        handlers = [urllib.request.ProxyHandler({})] if is_loopback(endpoint.host) else []
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(url, timeout=3) as response:
                headers = response.headers
        except urllib.error.HTTPError as exc:  # 403 without credentials is the normal answer
            headers = exc.headers
        except (OSError, ValueError) as exc:
            occupied = proc.port_open(target.host, target.port)
            return Probe(answers=False, occupied=occupied, reason=str(exc))
        server = headers.get("Server", "")
        if headers.get("x-ms-request-id") or server.startswith(("Azurite", "Windows-Azure")):
            return Probe(answers=True)
        return Probe(
            answers=False,
            occupied=True,
            reason=f"an HTTP server that is not Azure blob storage answered ({server or '?'})",
        )

    def start(self, target: Target, layout: Layout, log: Log) -> Record:
        endpoint: BlobEndpoint = target.login
        if endpoint.scheme != "http":
            raise GenimsError(
                "the local Azurite serves plain http; use a BlobEndpoint=http://127.0.0.1:<port>/"
                f"{DEV_ACCOUNT} connection string"
            )
        binary = ensure_installed(layout.node_dir, layout.log_file("npm"), log)
        data_dir = proc.prepare_dir(layout.data_dir(target.key), None)
        log_file = layout.log_file(target.key)
        log(f"azurite: starting blob service on 127.0.0.1:{target.port} (log {log_file})")
        child, offset = proc.spawn(
            [
                binary,
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(target.port),
                "--location",
                data_dir,
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry",
            ],
            log_file,
            what="Azurite",
            cwd=data_dir,
        )
        seconds = proc.wait_ready(
            lambda: self.probe(target).answers,
            child,
            what=f"Azurite on 127.0.0.1:{target.port}",
            log_path=log_file,
            offset=offset,
            timeout=READY_TIMEOUT_S,
        )
        log(f"azurite: up in {seconds:.1f} s")
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


def azurite_binary(node_dir: Path) -> Path:
    return node_dir / "node_modules" / ".bin" / "azurite-blob"


def ensure_installed(node_dir: Path, log_path: Path, log: Log) -> Path:
    """The project's own azurite-blob, installed with npm into `node_dir` when missing."""
    binary = azurite_binary(node_dir)
    if binary.exists():
        return binary
    npm = proc.find_executable("npm")
    if (npm is None or proc.find_executable("node") is None) and proc.can_apt():
        proc.apt_install(["nodejs", "npm"], log_path, log)
        npm = proc.find_executable("npm")
    if npm is None:
        raise GenimsError(
            "Azurite needs Node.js and npm, which are not installed; install them (Node 18 or "
            "newer) or point AZURE_STORAGE_CONNECTION_STRING at a running blob service"
        )
    node_dir.mkdir(parents=True, exist_ok=True)
    log(f"azurite: installing {PACKAGE} into {node_dir} with npm (output in {log_path})")
    proc.run_logged(
        [
            npm,
            "install",
            "--prefix",
            node_dir,
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            PACKAGE,
        ],
        log_path,
        what=f"npm install {PACKAGE}",
        timeout=900,
    )
    if not binary.exists():
        raise GenimsError(f"npm installed {PACKAGE}, but {binary} is missing; see {log_path}")
    return binary
