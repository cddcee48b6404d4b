"""The local stack: PostgreSQL, a MySQL-compatible server and Azurite on loopback.

`up` reuses servers that already answer at the configured addresses and starts the missing ones
under the project's state directory; `down` stops only what `up` started; `status` says what runs
where and who started it. See docs/local_stack.md.
"""

from __future__ import annotations

from genims_platform.stack.base import ServiceStatus
from genims_platform.stack.control import COMPONENTS, down, format_status, status, up

__all__ = ["COMPONENTS", "ServiceStatus", "down", "format_status", "status", "up"]
