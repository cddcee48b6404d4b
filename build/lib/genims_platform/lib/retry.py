"""Which failures of a table's materialisation are worth another attempt, and when.

A server that refused, dropped or shut down the connection, a deadlock or a lock wait timeout
are transient: nothing was published (stage and publish are one transaction), so running the
step again after a pause gives exactly the rows a clean run gives. Everything else (bad data, a
blocking data test, a source that no longer matches the contract, a wrong password or database
name) fails at once: waiting would not change the outcome.

Attempts and pauses follow ``DATA_SYNC_RETRY_COUNT`` and ``DATA_SYNC_RETRY_DELAY`` (seconds,
growing exponentially, as `dagster.RetryPolicy` with `Backoff.EXPONENTIAL` computes them).
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
import psycopg
import pymysql

from genims_platform.lib.errors import DatabaseUnavailableError, first_line, scrub

# MySQL/MariaDB errors after which the same statement may succeed later: too many connections,
# server shutdown, lock wait timeout, deadlock, connection killed, cannot connect (socket/TCP),
# server gone away, lost connection, and lost connection while reading the handshake.
TRANSIENT_MYSQL = frozenset({1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 2055})
# PostgreSQL SQLSTATEs of the same kind, besides the whole class 08 (connection exceptions):
# admin or crash shutdown, cannot connect now, too many connections, serialization failure,
# deadlock.
TRANSIENT_PG = frozenset({"57P01", "57P02", "57P03", "53300", "40001", "40P01"})


def _chain(error: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_transient(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is a lost or refused connection, a shutdown, a
    deadlock or a lock timeout."""
    for item in _chain(error):
        if isinstance(item, DatabaseUnavailableError):
            return item.transient
        if isinstance(item, pymysql.err.InterfaceError):
            # PyMySQL's "(0, '')": a statement on a connection the server already closed.
            return True
        if isinstance(item, pymysql.err.OperationalError):
            return bool(item.args) and item.args[0] in TRANSIENT_MYSQL
        if isinstance(item, psycopg.OperationalError):
            state = item.sqlstate
            # No SQLSTATE: the client lost or could not open the connection.
            return state is None or state.startswith("08") or state in TRANSIENT_PG
    return False


def policy(retry_count: int, retry_delay_s: float) -> dg.RetryPolicy:
    return dg.RetryPolicy(
        max_retries=retry_count, delay=retry_delay_s, backoff=dg.Backoff.EXPONENTIAL
    )


def transient_failure(
    table: str, window: object, error: BaseException, secrets: Iterable[str | None]
) -> DatabaseUnavailableError:
    """The error a step reports for a transient failure: the table and window, the reason
    without secrets, and what it means for readers."""
    if isinstance(error, DatabaseUnavailableError):
        reason = str(error).removeprefix(f"{table}: ")
    else:
        side = "MySQL" if isinstance(error, pymysql.err.Error) else "PostgreSQL"
        reason = f"{side} connection failed: {type(error).__name__}: {first_line(error)}"
    what = f"{table} {window}" if window else table
    return DatabaseUnavailableError(
        f"{what}: {scrub(reason, secrets)}; readers never see a partly published window, and "
        "another attempt gives the same rows as a clean run",
        transient=True,
    )


def retry_request(
    context: dg.AssetExecutionContext, failure: DatabaseUnavailableError
) -> dg.RetryRequested | None:
    """A request to run the step again after the policy's pause while attempts remain
    (DATA_SYNC_RETRY_COUNT); None when they are used up."""
    from genims_platform.settings import load_settings

    sync = load_settings().data_sync
    attempt = context.retry_number + 1
    if attempt > sync.retry_count:
        return None
    wait = policy(sync.retry_count, sync.retry_delay_s).calculate_delay(attempt)
    context.log.warning(f"{failure}. Retry {attempt} of {sync.retry_count} in {wait:.1f} s.")
    return dg.RetryRequested(max_retries=sync.retry_count, seconds_to_wait=wait)
