"""`genims db init`: the 13 source databases, their change capture, and the 3 MySQL databases."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES, check_source, check_target
from genims_platform.settings import Settings
from genims_platform.sources import capture, contract
from genims_platform.targets import TargetResult, init_target


@dataclass
class InitReport:
    sources: list[contract.ContractResult] = field(default_factory=list)
    captures: list[capture.CaptureReport] = field(default_factory=list)
    targets: list[TargetResult] = field(default_factory=list)
    audit_security: str | None = None
    etl_reader: str | None = None

    @property
    def changed(self) -> bool:
        return (
            any(s.created or s.applied for s in self.sources)
            or any(c.changed for c in self.captures)
            or any(t.created or t.migrations_applied for t in self.targets)
        )

    def lines(self) -> list[str]:
        out = []
        for s in self.sources:
            state = "created" if s.created else ("updated" if s.applied else "unchanged")
            out.append(f"source  {s.logical:<14} {s.database:<28} {state}")
        for c in self.captures:
            out.append(f"capture {c.logical:<14} {c.summary()}")
        for t in self.targets:
            state = "created" if t.created else "exists"
            migrated = ", ".join(t.migrations_applied) or "no new migrations"
            out.append(f"target  {t.logical:<14} {t.database:<28} {state}; {migrated}")
        if self.audit_security:
            out.append(f"audit   {self.audit_security}")
        if self.etl_reader:
            out.append(f"reader  {self.etl_reader}")
        return out


def init_all(
    settings: Settings,
    *,
    sources: Iterable[str] | None = None,
    targets: Iterable[str] | None = None,
    force: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> InitReport:
    """Create and migrate everything the platform owns; safe to run any number of times."""
    report = InitReport()
    source_list = [check_source(s) for s in (SOURCE_DATABASES if sources is None else sources)]
    target_list = [check_target(t) for t in (TARGET_DATABASES if targets is None else targets)]
    preflight(settings, source_list, target_list)
    for logical in source_list:
        result = contract.apply_contract(settings, logical, force=force)
        report.sources.append(result)
        log(report.lines()[-1])
        report.captures.append(capture.install_capture(settings, logical, force=force))
    if source_list and settings.etl_reader.password:
        # The ETL's read-only login (sql/source/etl_reader_grants.sql); after capture, whose
        # outbox it reads.
        from genims_platform.sources import reader

        reader.ensure_login(settings)
        for logical in source_list:
            reader.grant_database(settings, logical)
        report.etl_reader = (
            f"{settings.etl_reader.user}: read-only on {len(source_list)} source database(s)"
        )
    for logical in target_list:
        report.targets.append(init_target(settings, logical, log=log))
    if "audit" in target_list:
        # Append-only triggers, roles, grants and accounts; after the migrations, so tables
        # added by new migrations are covered too.
        from genims_platform.audit.security import apply_security

        report.audit_security = apply_security(settings).summary()
    return report


def preflight(settings: Settings, sources: Iterable[str], targets: Iterable[str]) -> None:
    """Log in to every server involved before creating anything, so a bad setting stops `init`
    with a clear error instead of leaving some databases created and others not."""
    from genims_platform.lib import mysql, pg

    if list(sources):
        with pg.connect(settings.pg_primary, "postgres"):
            pass
    seen: set[tuple[str, int, str]] = set()
    for logical in targets:
        target = settings.target(logical)
        key = (target.host, target.port, target.user)
        if key not in seen:
            seen.add(key)
            with mysql.connect(target, database=None):
                pass
