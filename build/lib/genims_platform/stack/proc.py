"""Processes of the local stack: running tools, starting detached servers, knowing them again.

Servers run in a session of their own with their output in a log file, so they outlive the
`genims` command that started them. A server is recognised later by its pid together with the
kernel's start time for that pid, so a recycled pid is never mistaken for it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from genims_platform.lib.errors import GenimsError
from genims_platform.stack.base import Log

# Servers started by this process, kept so they can be reaped (no zombies, no ResourceWarning).
_CHILDREN: dict[int, subprocess.Popen] = {}

_SECRET_MARKERS = ("PASSWORD", "SECRET", "TOKEN", "KEY", "CONNECTION_STRING", "CREDENTIAL")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for tools and servers, without the platform's secrets."""
    env = {k: v for k, v in os.environ.items() if not any(m in k.upper() for m in _SECRET_MARKERS)}
    env.update(extra)
    return env


def is_root() -> bool:
    return os.geteuid() == 0


def can_apt() -> bool:
    """Whether missing servers may be installed: root on Debian (or a derivative) with apt-get."""
    return is_root() and Path("/etc/debian_version").exists() and bool(shutil.which("apt-get"))


def service_account(name: str) -> pwd.struct_passwd | None:
    """The system user a server must run as; None when we are not root (it runs as us)."""
    if not is_root():
        return None
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise GenimsError(
            f"running as root, but there is no {name!r} system user to run the server as; "
            f"create it (e.g. `useradd --system {name}`) or run `genims stack up` as a normal user"
        ) from None


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether anything accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def find_executable(name: str, extra_dirs: Sequence[str | Path] = ()) -> Path | None:
    """`name` on PATH or in one of `extra_dirs` (sbin directories are often not on PATH)."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for folder in extra_dirs:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _searchable_by(st: os.stat_result, account: pwd.struct_passwd, groups: set[int]) -> bool:
    if st.st_uid == account.pw_uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid in groups:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def check_reachable(path: Path, account: pwd.struct_passwd | None) -> None:
    """Fail clearly when `account` cannot reach `path` (every parent must be searchable)."""
    if account is None:
        return
    groups = {account.pw_gid} | set(os.getgrouplist(account.pw_name, account.pw_gid))
    for parent in reversed(path.resolve().parents):
        if not _searchable_by(parent.stat(), account, groups):
            raise GenimsError(
                f"the server runs as the {account.pw_name!r} user, which cannot reach {path}: "
                f"{parent} is not searchable by it; allow it (`chmod o+x {parent}`) or set "
                "GENIMS_STATE_DIR to a directory it can reach"
            )


def prepare_dir(path: Path, account: pwd.struct_passwd | None, mode: int = 0o755) -> Path:
    """Create `path` (owned by `account` when given) and return it."""
    path.mkdir(parents=True, exist_ok=True)
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)
    path.chmod(mode)
    return path


def tail(path: Path, offset: int = 0, lines: int = 20) -> str:
    """The last `lines` lines written to `path` after byte `offset`."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no log output)"
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(kept) if kept else "(no log output)"


def _open_log(log_path: Path, title: str) -> tuple[object, int]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    fh = log_path.open("ab")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    fh.write(f"\n=== {stamp} {title}\n".encode())
    fh.flush()
    return fh, fh.tell()


def _as(account: pwd.struct_passwd | None) -> dict:
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def run_logged(
    argv: Sequence[str | Path],
    log_path: Path,
    *,
    what: str,
    account: pwd.struct_passwd | None = None,
    timeout: float = 300,
    env: dict[str, str] | None = None,
) -> None:
    """Run a set-up tool to completion with its output in `log_path`; fail with its last lines."""
    fh, offset = _open_log(log_path, what)
    try:
        result = subprocess.run(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd="/",
            env=env or clean_env(),
            timeout=timeout,
            check=False,
            **_as(account),
        )
    except subprocess.TimeoutExpired:
        raise GenimsError(
            f"{what} did not finish within {timeout:.0f} s; last lines of {log_path}:\n"
            f"{tail(log_path, offset)}"
        ) from None
    except OSError as exc:
        raise GenimsError(f"{what} could not run: {exc}") from None
    finally:
        fh.close()
    if result.returncode != 0:
        raise GenimsError(
            f"{what} failed (exit code {result.returncode}); last lines of {log_path}:\n"
            f"{tail(log_path, offset)}"
        )


def spawn(
    argv: Sequence[str | Path],
    log_path: Path,
    *,
    what: str,
    account: pwd.struct_passwd | None = None,
    cwd: Path | str = "/",
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, int]:
    """Start a server detached (own session, output appended to `log_path`).

    Returns the process and the log offset at which its output starts.
    """
    fh, offset = _open_log(log_path, f"{what}: {' '.join(str(a) for a in argv)}")
    try:
        proc = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=str(cwd),
            env=env or clean_env(),
            start_new_session=True,
            **_as(account),
        )
    except OSError as exc:
        raise GenimsError(f"{what} could not start: {exc}") from None
    finally:
        fh.close()
    _CHILDREN[proc.pid] = proc
    return proc, offset


def wait_ready(
    ready: Callable[[], bool],
    proc: subprocess.Popen,
    *,
    what: str,
    log_path: Path,
    offset: int,
    timeout: float,
) -> float:
    """Poll `ready` until it is true; return the seconds it took.

    Fails at once when the server exits, or after `timeout`, with the server's last log lines.
    """
    began = time.monotonic()
    while True:
        if proc.poll() is not None:
            _CHILDREN.pop(proc.pid, None)
            raise GenimsError(
                f"{what} exited during start-up (exit code {proc.returncode}); "
                f"last lines of {log_path}:\n{tail(log_path, offset)}"
            )
        if ready():
            return time.monotonic() - began
        if time.monotonic() - began > timeout:
            stop_child(proc)
            raise GenimsError(
                f"{what} did not answer within {timeout:.0f} s and was stopped; "
                f"last lines of {log_path}:\n{tail(log_path, offset)}"
            )
        time.sleep(0.1)


def stop_child(proc: subprocess.Popen) -> None:
    """Stop a server that failed to come up."""
    try:
        proc.terminate()
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)
    _CHILDREN.pop(proc.pid, None)


def start_ticks(pid: int) -> int | None:
    """When the process `pid` started (clock ticks since boot); None if it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ")".
    fields = raw[raw.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def is_same_process(pid: int, ticks: int | None) -> bool:
    """Whether `pid` is still the process that was recorded with start time `ticks`."""
    _reap(pid)
    current = start_ticks(pid)
    if current is None:
        if Path("/proc/self/stat").exists():
            return False
        # Without /proc (not Linux) the best available check is that the pid exists.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return ticks is None or current == ticks


def _reap(pid: int) -> None:
    child = _CHILDREN.get(pid)
    if child is not None and child.poll() is not None:
        _CHILDREN.pop(pid, None)


def terminate(pid: int, ticks: int | None, sig: signal.Signals, timeout: float = 60) -> bool:
    """Ask the recorded server to shut down and wait until it is gone.

    Returns False when `pid` is no longer that server (nothing is signalled then).
    """
    if not is_same_process(pid, ticks):
        return False
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while is_same_process(pid, ticks):
        if time.monotonic() > deadline:
            raise GenimsError(
                f"process {pid} did not stop within {timeout:.0f} s after {sig.name}; "
                "look at its log in the state directory's logs/ folder"
            )
        time.sleep(0.1)
    return True


def apt_install(packages: Sequence[str], log_path: Path, log: Log) -> None:
    """Install Debian packages without prompts and without letting them start their services.

    Debian's maintainer scripts start a freshly installed server (PostgreSQL's default cluster,
    MariaDB) on the standard port; a temporary policy-rc.d that denies service starts keeps the
    port free for the server this project starts itself.
    """
    names = " ".join(packages)
    log(f"installing {names} with apt-get (output in {log_path})")
    env = clean_env(DEBIAN_FRONTEND="noninteractive")
    policy = Path("/usr/sbin/policy-rc.d")
    placed = False
    if not policy.exists():
        policy.write_text(
            "#!/bin/sh\n# written by genims stack up during apt-get install\nexit 101\n"
        )
        policy.chmod(0o755)
        placed = True
    try:
        run_logged(
            ["apt-get", "update", "-q"], log_path, what="apt-get update", env=env, timeout=600
        )
        run_logged(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
            log_path,
            what=f"apt-get install {names}",
            env=env,
            timeout=1200,
        )
    finally:
        if placed:
            policy.unlink(missing_ok=True)
