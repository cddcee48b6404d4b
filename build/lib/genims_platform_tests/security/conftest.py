"""Fixtures of the security tests: TLS-only servers of their own (started once per session, on
free loopback ports) and the environment that points the platform at them."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

import pytest

from genims_platform.catalog import TARGET_DATABASES
from genims_platform_tests.security import servers as tls


@pytest.fixture(scope="session")
def tls_servers() -> Iterator[tls.TlsServers]:
    reason = tls.missing_binaries()
    if reason:
        pytest.skip(f"the TLS test servers cannot start here: {reason}")
    started = tls.start()
    try:
        yield started
    finally:
        from genims_platform.lib.resources import dispose_pools

        dispose_pools()
        started.stop()


def tls_env(
    servers: tls.TlsServers,
    *,
    host: str = "localhost",
    sslmode: str = "verify-full",
    pg_ca: str | None = None,
    my_ca: str | None = None,
    verify_identity: bool = True,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The process environment with every database connection pointed at the TLS servers."""
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        # Accounts that exist only on the shared servers would be created on these, too.
        if not (k.startswith("MYSQL_AUDIT_") and k.endswith("_PASSWORD"))
    }
    env.update(
        {
            "PG_MASTER_HOST": host,
            "PG_MASTER_PORT": str(servers.pg_port),
            "PG_MASTER_USER": tls.PG_ADMIN,
            "PG_MASTER_PASSWORD": servers.pg_password,
            "PG_MASTER_SSLMODE": sslmode,
            "PG_MASTER_SSLROOTCERT": pg_ca or str(servers.certs.ca),
        }
    )
    for logical in TARGET_DATABASES:
        prefix = f"MYSQL_{logical.upper()}"
        env.update(
            {
                f"{prefix}_HOST": host,
                f"{prefix}_PORT": str(servers.my_port),
                f"{prefix}_USER": tls.MY_ADMIN,
                f"{prefix}_PASSWORD": servers.my_password,
                f"{prefix}_SSL_CA": my_ca or str(servers.certs.ca),
                f"{prefix}_SSL_VERIFY_IDENTITY": "true" if verify_identity else "false",
            }
        )
    return env
