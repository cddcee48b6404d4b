"""The `genims` command: local stack, database set-up, simulator and operator tasks."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from genims_platform.catalog import UnknownDatabaseError
from genims_platform.lib.errors import GenimsError
from genims_platform.settings import SettingsError, load_settings


def _settings():
    from dotenv import load_dotenv

    # A .env in the working directory fills in what the environment does not set.
    load_dotenv(override=False)
    return load_settings()


class GenimsGroup(click.Group):
    """Turns the platform's own errors into one clear line and a non-zero exit."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (GenimsError, SettingsError, UnknownDatabaseError) as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=GenimsGroup)
def main() -> None:
    """GenIMS data platform."""


@main.group()
def stack() -> None:
    """Local PostgreSQL, MySQL-compatible server and Azurite."""


@stack.command("up")
@click.option("--only", multiple=True, type=click.Choice(["postgres", "mysql", "azurite"]))
def stack_up(only: tuple[str, ...]) -> None:
    """Reuse servers that answer at the configured addresses; start the missing ones."""
    from genims_platform import stack as local_stack

    statuses = local_stack.up(_settings(), components=only or None, log=click.echo)
    click.echo(local_stack.format_status(statuses))


@stack.command("down")
def stack_down() -> None:
    """Stop the servers this project started (never the ones it found running)."""
    from genims_platform import stack as local_stack

    for line in local_stack.down(_settings()):
        click.echo(line)


@stack.command("status")
def stack_status() -> None:
    """What is up, where, and who started it."""
    from genims_platform import stack as local_stack

    click.echo(local_stack.format_status(local_stack.status(_settings())))


@main.group()
def db() -> None:
    """Source and target databases."""


@db.command("init")
@click.option("--source", "sources", multiple=True, help="Only these logical source databases.")
@click.option("--target", "targets", multiple=True, help="Only these MySQL databases.")
@click.option("--force", is_flag=True, help="Re-apply DDL even when nothing changed.")
def db_init(sources: tuple[str, ...], targets: tuple[str, ...], force: bool) -> None:
    """Create the 13 source databases with change capture and the 3 MySQL databases."""
    from genims_platform.bootstrap import init_all

    only_sources = list(sources) if sources else (None if not targets else [])
    only_targets = list(targets) if targets else (None if not sources else [])
    report = init_all(
        _settings(), sources=only_sources, targets=only_targets, force=force, log=click.echo
    )
    for line in report.lines():
        click.echo(line)
    click.echo("changed" if report.changed else "nothing to do: everything is up to date")


@main.command()
@click.option("--scale", type=float, default=0.01, show_default=True, help="Scale factor.")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
@click.option("--seed", "seed_value", type=int, default=42, show_default=True)
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of history (UTC); default: today.",
)
@click.option("--replace", is_flag=True, help="Empty the source tables first.")
def seed(scale: float, days: int, seed_value: int, end_date, replace: bool) -> None:
    """Generate one consistent plant across the 13 source databases."""
    from genims_platform.simulator import seed as run_seed

    end = end_date.date() if end_date else datetime.now(UTC).date()
    counts = run_seed(
        _settings(), scale=scale, days=days, seed=seed_value, end_date=end, replace=replace
    )
    width = max(len(name) for name in counts) if counts else 0
    for name, rows in sorted(counts.items()):
        click.echo(f"{name:<{width}}  {rows:>10,}")
    click.echo(f"{'total':<{width}}  {sum(counts.values()):>10,}")


@main.command()
@click.option("--live", is_flag=True, required=True, help="Keep writing new activity.")
@click.option("--rate", type=float, default=5.0, show_default=True, help="Business events/s.")
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
@click.option("--seed", "seed_value", type=int, default=None)
def simulate(live: bool, rate: float, duration: float | None, seed_value: int | None) -> None:
    """Write live plant activity through ordinary INSERT/UPDATE (capture triggers fire)."""
    from genims_platform.simulator import simulate_live

    counts = simulate_live(_settings(), rate=rate, duration_s=duration, seed=seed_value)
    for name, rows in sorted(counts.items()):
        click.echo(f"{name}: {rows}")


@main.group()
def docs() -> None:
    """Generated documentation."""


@docs.command("source-map")
@click.option(
    "--output", type=click.Path(dir_okay=False), default="docs/source_map.md", show_default=True
)
def docs_source_map(output: str) -> None:
    """Write the source-to-target map from the table declarations."""
    from genims_platform.lib.lineage import all_specs, source_map_markdown

    with open(output, "w", encoding="utf-8") as handle:
        handle.write(source_map_markdown(all_specs()))
    click.echo(f"wrote {output}")


@main.command()
@click.option("--scale", type=float, default=0.1, show_default=True, help="Scale of the seed.")
@click.option("--days", type=click.IntRange(1, 3660), default=120, show_default=True)
@click.option("--port", type=int, default=3000, show_default=True, help="Dagster UI port.")
@click.option(
    "--live-rate",
    type=float,
    default=2.0,
    show_default=True,
    help="Live simulator events/s (0 = off).",
)
@click.option("--no-backfill", is_flag=True, help="Do not launch the history backfill.")
def demo(scale: float, days: int, port: int, live_rate: float, no_backfill: bool) -> None:
    """Start everything: servers, databases, a seeded plant, the Dagster UI and daemon."""
    from genims_platform.demo import DemoOptions, ensure_env_file, run_demo

    ensure_env_file(click.echo)
    options = DemoOptions(
        scale=scale, days=days, port=port, live_rate=live_rate, backfill=not no_backfill
    )
    sys.exit(run_demo(_settings(), options, click.echo))


def _register_operations() -> None:
    """Operator commands of the operations domain (each module defines one click group)."""
    from genims_platform.operations import commands

    for group in commands.GROUPS:
        main.add_command(group)


_register_operations()


if __name__ == "__main__":
    main()
