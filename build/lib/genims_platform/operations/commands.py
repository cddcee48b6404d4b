"""Operator commands of the operations domain, registered on `genims` by the CLI:
`genims backup ...`, `genims retention ...`, `genims legal-hold ...` and `genims report ...`."""

from __future__ import annotations

from genims_platform.operations.backup_cli import backup
from genims_platform.operations.report_cli import report
from genims_platform.operations.retention_cli import legal_hold, retention

GROUPS = (backup, retention, legal_hold, report)
