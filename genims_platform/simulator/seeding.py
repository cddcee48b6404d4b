"""`genims seed`: one consistent plant across the 13 source databases, loaded with COPY."""

from __future__ import annotations

from datetime import date, datetime

from tqdm import tqdm

from genims_platform.lib.errors import GenimsError
from genims_platform.settings import Settings
from genims_platform.simulator import customers, finance, people, production, sales, suppliers
from genims_platform.simulator.copyload import BulkLoader
from genims_platform.simulator.core import Horizon, Scale
from genims_platform.simulator.ledger import Ledger
from genims_platform.simulator.plant import build_plant
from genims_platform.simulator.reference import reference_frames
from genims_platform.simulator.supply import (
    SupplyMonth,
    build_stores,
    opening_stock,
    receipt_stats,
    write_balances,
)
from genims_platform.simulator.world import World


def seed(
    settings: Settings,
    *,
    scale: float,
    days: int,
    seed: int,
    end_date: date,
    replace: bool = False,
    progress: bool = True,
    now: datetime | None = None,
) -> dict[str, int]:
    """Generate `days` days of history of one plant, ending on `end_date` (UTC), and load it.

    A history that ends today stops at the current hour of `now` (default: the wall clock).

    Returns the rows loaded per table ("<logical>.<table>"). Raises GenimsError when the source
    tables already hold data and `replace` is false; with `replace` they are emptied first, in
    the same transaction as the load.
    """
    if scale <= 0:
        raise GenimsError(f"scale must be positive, got {scale}")
    if days < 1:
        raise GenimsError(f"days must be at least 1, got {days}")
    horizon = Horizon.ending(end_date, days, now=now)
    if horizon.cutoff_ts <= horizon.start_ts:
        raise GenimsError(f"end date {end_date} leaves no history before now; pick an earlier date")
    plant = build_plant(seed, Scale(scale), horizon)
    with BulkLoader(settings, replace=replace) as loader:
        ledger = Ledger()
        ledger.set_periods(plant.periods["start_day"])
        world = World(plant=plant, seed=seed, emit=loader.put, ledger=ledger)
        for frame in reference_frames(plant).frames:
            loader.put(frame)
        stores = build_stores(world)
        finance.opening(world, opening_stock(world, stores))
        suppliers.once(world)
        customers.once(world)

        def emit(table: str, columns: dict) -> None:
            world.add(table, **columns)

        chunks = list(horizon.chunks())
        with tqdm(chunks, desc="seeding", unit="month", disable=not progress) as bar:
            for chunk in bar:
                attendance = people.attendance(world, chunk)
                outflows = production.Outflows()
                so_lines = sales.sales_month(world, chunk, outflows)
                production.simulate_month(world, chunk, attendance, so_lines, outflows)
                SupplyMonth(world, chunk, stores, outflows).run()
                people.timesheets(world, chunk, attendance)
                people.training(world, chunk)
                people.logins(world, chunk, attendance)
                customers.crm_month(world, chunk)
                customers.service_month(world, chunk)
                suppliers.supplier_month(world, chunk, receipt_stats(world))
                finance.finance_month(world, chunk)
                ledger.flush(chunk.end_ts, horizon.cutoff_ts, emit)
                bar.set_postfix(rows=f"{sum(loader.counts.values()):,}")
        ledger.flush(horizon.cutoff_ts, horizon.cutoff_ts, emit)
        write_balances(world, stores)
        return loader.finish()
