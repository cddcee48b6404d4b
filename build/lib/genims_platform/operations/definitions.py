"""Operations definitions merged into the code location: database backups with restore
verification, retention with legal holds, and the daily compliance report."""

from __future__ import annotations

import dagster as dg


def operations_definitions() -> dg.Definitions:
    from genims_platform.operations.backup import backup_definitions
    from genims_platform.operations.report import report_definitions
    from genims_platform.operations.retention import retention_definitions

    return dg.Definitions.merge(backup_definitions(), retention_definitions(), report_definitions())
