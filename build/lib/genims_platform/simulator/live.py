"""`genims simulate --live`: new plant activity written through ordinary INSERT and UPDATE.

Every write runs in a short transaction of its own database with application_name
'genims-simulator' and `genims.actor` set to an application user, so the capture triggers record
who did what. Events arrive as a Poisson process at `rate` per second and keep the invariants the
seed established: orders total their lines, journal entries balance, inventory balances equal
their movements and never go negative, runs respect their cycle times, and a machine's DOWN
interval and its fault share one start and one end.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import psycopg
from psycopg import sql

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError, first_line
from genims_platform.settings import Settings
from genims_platform.simulator import names
from genims_platform.simulator.core import SIMULATOR_APP
from genims_platform.simulator.plant import TICKET_PRIORITIES

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _Plant:
    """What the live simulator needs to know about the seeded plant (read at start)."""

    machines: list[tuple] = field(default_factory=list)  # (id, line, factory, ict)
    products: dict[int, tuple] = field(default_factory=dict)  # id -> (price, std cost, factory)
    customers: list[tuple] = field(default_factory=list)  # (id, rep, city, region)
    employees: dict[str, list[int]] = field(default_factory=dict)  # job title -> ids
    users: list[tuple] = field(default_factory=list)  # (user_id, username)
    points: dict[int, list[tuple]] = field(default_factory=dict)  # machine -> points
    accounts: dict[str, int] = field(default_factory=dict)
    suppliers: list[int] = field(default_factory=list)
    routes: list[tuple] = field(default_factory=list)  # (id, origin, region, transit)
    carriers: list[int] = field(default_factory=list)
    cost_centers: dict[str, int] = field(default_factory=dict)  # type -> first id


class LiveSimulator:
    """Holds one connection per source database and writes business events."""

    def __init__(self, settings: Settings, rng: np.random.Generator) -> None:
        self.settings = settings
        self.rng = rng
        self.counts: Counter[str] = Counter()
        self._stack = ExitStack()
        self.conns: dict[str, psycopg.Connection] = {}
        self.plant = _Plant()

    def __enter__(self) -> LiveSimulator:
        self._stack.__enter__()
        for logical in SOURCE_DATABASES:
            self.conns[logical] = self._stack.enter_context(
                pg.connect(
                    self.settings.pg_primary,
                    self.settings.source_db(logical),
                    logical=logical,
                    autocommit=True,
                    application_name=SIMULATOR_APP,
                )
            )
            self.conns[logical].execute("SET TimeZone = 'UTC'")
        self._load()
        return self

    def __exit__(self, *exc) -> None:
        self._stack.__exit__(*exc)

    # plumbing -------------------------------------------------------------------------------
    def q(self, logical: str, text: str, params=()) -> list[tuple]:
        return self.conns[logical].execute(text, params).fetchall()

    def write(self, logical: str, actor: str, work: Callable[[psycopg.Connection], None]) -> None:
        """Run `work` in one transaction of `logical` as application user `actor`."""
        conn = self.conns[logical]
        with conn.transaction():
            conn.execute("SELECT set_config('genims.actor', %s, true)", (actor,))
            work(conn)

    def insert(
        self,
        conn: psycopg.Connection,
        logical: str,
        table: str,
        row: dict,
        returning: str | None = None,
    ):
        text = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in row),
            sql.SQL(", ").join(sql.Placeholder() * len(row)),
        )
        if returning:
            text += sql.SQL(" RETURNING {}").format(sql.Identifier(returning))
        cur = conn.execute(text, list(row.values()))
        self.counts[f"{logical}.{table}"] += 1
        return cur.fetchone()[0] if returning else None

    def update(
        self, conn: psycopg.Connection, logical: str, table: str, text: str, params=()
    ) -> int:
        # `text` is one of this module's literal SET clauses; values are always parameters
        statement = sql.SQL("UPDATE {} SET ").format(sql.Identifier(table)) + sql.SQL(text)
        cur = conn.execute(statement, params)
        self.counts[f"{logical}.{table}"] += cur.rowcount
        return cur.rowcount

    def next_id(self, conn: psycopg.Connection, table: str, column: str) -> int:
        return conn.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s))", (table, column)
        ).fetchone()[0]

    def pick(self, values: list):
        return values[int(self.rng.integers(0, len(values)))]

    def actor(self) -> str:
        return self.pick(self.plant.users)[1]

    def employee(self, *titles: str) -> int | None:
        pool = [e for t in titles for e in self.plant.employees.get(t, [])]
        return self.pick(pool) if pool else None

    def _load(self) -> None:
        p = self.plant
        p.machines = self.q(
            "master",
            "SELECT machine_id, line_id, factory_id, ideal_cycle_time_s "
            "FROM machines WHERE is_active ORDER BY 1",
        )
        if not p.machines:
            raise GenimsError("the source databases hold no plant; run `genims seed` first")
        factories = dict(
            self.q(
                "manufacturing",
                "SELECT DISTINCT ON (product_id) product_id, "
                "factory_id FROM work_orders ORDER BY product_id",
            )
        )
        default_factory = p.machines[0][2]
        price = dict(
            self.q(
                "erp",
                "SELECT product_id, unit_price FROM price_lists WHERE valid_to = '9999-12-31'",
            )
        )
        for pid, std in self.q("master", "SELECT product_id, standard_cost FROM products"):
            p.products[pid] = (price.get(pid, std * 2), std, factories.get(pid, default_factory))
        reps = dict(
            self.q("crm", "SELECT customer_id, account_manager_rep_id FROM customer_accounts")
        )
        p.customers = [
            (c, reps.get(c), city, region)
            for c, city, region in self.q(
                "master", "SELECT customer_id, city, region FROM customers WHERE is_active"
            )
        ]
        for title, ids in self.q(
            "hr",
            "SELECT job_title, array_agg(employee_id) FROM employees "
            "WHERE status = 'ACTIVE' GROUP BY 1",
        ):
            p.employees[title] = ids
        p.users = self.q("master", "SELECT user_id, username FROM app_users WHERE is_active")
        for pid, machine, measurement, low, high in self.q(
            "operations",
            "SELECT point_id, machine_id, measurement, low_limit, high_limit FROM scada_points",
        ):
            p.points.setdefault(machine, []).append((pid, measurement, low, high))
        p.accounts = dict(self.q("financial", "SELECT account_number, account_id FROM gl_accounts"))
        p.suppliers = [r[0] for r in self.q("master", "SELECT supplier_id FROM suppliers")]
        p.routes = self.q(
            "tms",
            "SELECT route_id, origin_warehouse_id, destination_city, "
            "standard_transit_days FROM routes",
        )
        p.carriers = [r[0] for r in self.q("tms", "SELECT carrier_id FROM carriers")]
        for kind, cc in self.q(
            "master", "SELECT cost_center_type, min(cost_center_id) FROM cost_centers GROUP BY 1"
        ):
            p.cost_centers[kind] = cc

    # events -----------------------------------------------------------------------------------
    def sensor_batch(self, now: datetime) -> None:
        """One scan of a machine's SCADA points; now and then a value outside its limits."""
        machine = self.pick(self.plant.machines)[0]
        points = self.plant.points.get(machine, [])
        if not points:
            return

        def work(conn):
            for pid, _measurement, low, high in points:
                mid = (low + high) / 2
                value = mid + self.rng.normal(0, (high - low) / 8)
                if self.rng.random() < 0.02:
                    value = high + abs(self.rng.normal(0, (high - low) / 10))
                self.insert(
                    conn,
                    "operations",
                    "sensor_readings",
                    {
                        "point_id": pid,
                        "machine_id": machine,
                        "reading_ts": now,
                        "value": round(float(value), 3),
                        "quality_flag": "GOOD",
                    },
                )

        self.write("operations", "svc_scada_collector", work)

    def production_run(self, now: datetime) -> None:
        """The last hour of a machine's run, as the MES reports it."""
        machine, line, factory, ict = self.pick(self.plant.machines)
        wo = self.q(
            "manufacturing",
            "SELECT work_order_id, product_id FROM work_orders "
            "WHERE line_id = %s ORDER BY planned_start DESC LIMIT 1",
            (line,),
        )
        planned = Decimal(60)
        run = planned - Decimal(int(self.rng.integers(0, 15)))
        capacity = int(run * 60 / ict)
        produced = int(capacity * self.rng.uniform(0.7, 0.97))
        rejected = int(self.rng.binomial(produced, 0.02))
        shift = "A" if 6 <= now.hour < 14 else ("B" if 14 <= now.hour < 22 else "C")

        def work(conn):
            self.insert(
                conn,
                "operations",
                "production_run_logs",
                {
                    "machine_id": machine,
                    "line_id": line,
                    "factory_id": factory,
                    "work_order_id": wo[0][0] if wo else None,
                    "product_id": wo[0][1] if wo else None,
                    "shift_code": shift,
                    "run_start": now - timedelta(hours=1),
                    "run_end": now,
                    "planned_minutes": planned,
                    "run_minutes": run,
                    "ideal_cycle_time_s": ict,
                    "units_produced": produced,
                    "units_good": produced - rejected,
                    "units_rejected": rejected,
                },
            )

        self.write("operations", "svc_mes_gateway", work)

    def machine_state(self, now: datetime) -> None:
        """A machine changes state; a breakdown opens a fault and a corrective work order, and
        the repair closes both at the same instant."""
        machine = self.pick(self.plant.machines)[0]
        current = self.q(
            "operations",
            "SELECT status_change_id, status, started_at, ended_at "
            "FROM equipment_status_changes WHERE machine_id = %s "
            "ORDER BY started_at DESC LIMIT 1",
            (machine,),
        )
        if current and current[0][1] == "DOWN" and current[0][3] is None:
            new_status, reason = "RUNNING", None
        else:
            new_status, reason = (
                ("DOWN", None)
                if self.rng.random() < 0.35
                else self.pick([("IDLE", "MINOR_STOP"), ("SETUP", "CHANGEOVER"), ("RUNNING", None)])
            )
        fault_id: list[int] = []

        def work(conn):
            if current and current[0][3] is None:
                self.update(
                    conn,
                    "operations",
                    "equipment_status_changes",
                    "ended_at = %s WHERE status_change_id = %s",
                    (now, current[0][0]),
                )
                if current[0][1] == "DOWN":
                    self.update(
                        conn,
                        "operations",
                        "machine_faults",
                        "fault_end = %s "
                        "WHERE machine_id = %s AND fault_start = %s AND fault_end IS NULL",
                        (now, machine, current[0][2]),
                    )
            elif current:  # the seed ended earlier: nobody watched the machine in between
                self.insert(
                    conn,
                    "operations",
                    "equipment_status_changes",
                    {
                        "machine_id": machine,
                        "status": "IDLE",
                        "started_at": current[0][3],
                        "ended_at": now,
                        "reason_code": "NOT_MONITORED",
                    },
                )
            self.insert(
                conn,
                "operations",
                "equipment_status_changes",
                {
                    "machine_id": machine,
                    "status": new_status,
                    "started_at": now,
                    "reason_code": reason,
                },
            )
            if new_status == "DOWN":
                category = self.pick(names.FAULT_CATEGORIES)
                severity = self.pick(["LOW", "MEDIUM", "MEDIUM", "HIGH", "CRITICAL"])
                fault_id.append(
                    self.insert(
                        conn,
                        "operations",
                        "machine_faults",
                        {
                            "machine_id": machine,
                            "fault_code": f"{category[:4]}-LIVE",
                            "fault_category": category,
                            "severity": severity,
                            "fault_start": now,
                            "description": f"{severity.title()} {category.lower()} fault",
                        },
                        returning="fault_id",
                    )
                )

        self.write("operations", "svc_scada_collector", work)
        if fault_id:

            def mwo(conn):
                mwo_id = self.next_id(conn, "maintenance_work_orders", "mwo_id")
                self.insert(
                    conn,
                    "maintenance",
                    "maintenance_work_orders",
                    {
                        "mwo_id": mwo_id,
                        "mwo_number": f"MWO-{mwo_id:07d}",
                        "machine_id": machine,
                        "fault_id": fault_id[0],
                        "mwo_type": "CORRECTIVE",
                        "priority": "P2",
                        "status": "OPEN",
                        "reported_at": now,
                        "technician_employee_id": self.employee("Maintenance Technician"),
                    },
                )
                self.insert(
                    conn,
                    "maintenance",
                    "maintenance_history",
                    {
                        "machine_id": machine,
                        "mwo_id": mwo_id,
                        "event_ts": now,
                        "event_type": "REPORTED",
                    },
                )

            self.write("maintenance", self.actor(), mwo)
        elif current and current[0][1] == "DOWN" and current[0][3] is None:

            def close(conn):
                n = self.update(
                    conn,
                    "maintenance",
                    "maintenance_work_orders",
                    "status = 'COMPLETED', started_at = coalesce(started_at, "
                    "reported_at), completed_at = %s WHERE machine_id = %s AND "
                    "status IN ('OPEN', 'IN_PROGRESS') AND mwo_type = 'CORRECTIVE'",
                    (now, machine),
                )
                if n:
                    self.insert(
                        conn,
                        "maintenance",
                        "maintenance_history",
                        {
                            "machine_id": machine,
                            "event_ts": now,
                            "event_type": "COMPLETED",
                            "downtime_minutes": round(
                                (now - current[0][2]).total_seconds() / 60, 2
                            ),
                        },
                    )

            self.write("maintenance", self.actor(), close)

    def new_sales_order(self, now: datetime) -> None:
        """An order with one to four lines at list price less a discount, and its pick tasks."""
        customer, rep, _city, _region = self.pick(self.plant.customers)
        if rep is None:
            return
        factory = self.pick(list({v[2] for v in self.plant.products.values()}))
        products = [pid for pid, v in self.plant.products.items() if v[2] == factory]
        chosen = self.rng.choice(
            products, min(len(products), int(self.rng.integers(1, 5))), replace=False
        )
        lines = []
        for k, pid in enumerate(chosen, start=1):
            price = Decimal(self.plant.products[int(pid)][0])
            qty = Decimal(int(self.rng.integers(1, 60)))
            discount = Decimal(int(self.rng.integers(0, 31))) / 2
            amount = _money(qty * price * (1 - discount / 100))
            lines.append((k, int(pid), qty, price, discount, amount))
        total = sum(line[5] for line in lines)
        today = now.date()
        ids: list[int] = []

        def work(conn):
            so = self.next_id(conn, "sales_orders", "sales_order_id")
            ids.append(so)
            self.insert(
                conn,
                "erp",
                "sales_orders",
                {
                    "sales_order_id": so,
                    "order_number": f"SO-{so:07d}",
                    "customer_id": customer,
                    "sales_rep_id": rep,
                    "factory_id": factory,
                    "order_date": today,
                    "requested_delivery_date": today + timedelta(days=14),
                    "promised_delivery_date": today + timedelta(days=16),
                    "total_amount": total,
                    "status": "OPEN",
                    "payment_status": "UNPAID",
                    "created_at": now,
                },
            )
            for k, pid, qty, price, discount, amount in lines:
                ids.append(
                    self.insert(
                        conn,
                        "erp",
                        "sales_order_lines",
                        {
                            "sales_order_id": so,
                            "line_no": k,
                            "product_id": pid,
                            "quantity": qty,
                            "unit_price": price,
                            "discount_pct": discount,
                            "line_amount": amount,
                        },
                        returning="sales_order_line_id",
                    )
                )

        self.write("erp", self.actor(), work)
        dc = self.q("wms", "SELECT warehouse_id FROM pick_tasks ORDER BY pick_task_id DESC LIMIT 1")

        def picks(conn):
            for (_k, pid, qty, *_rest), line_id in zip(lines, ids[1:], strict=True):
                self.insert(
                    conn,
                    "wms",
                    "pick_tasks",
                    {
                        "sales_order_id": ids[0],
                        "sales_order_line_id": line_id,
                        "product_id": pid,
                        "warehouse_id": dc[0][0] if dc else 1,
                        "quantity": qty,
                        "status": "OPEN",
                        "created_at": now,
                    },
                )

        self.write("wms", "svc_erp_integration", picks)

    def advance_sales_order(self, now: datetime) -> None:
        """Move one order a step: confirm, ship (shipment and revenue posting), deliver, invoice,
        collect the payment."""
        row = self.q(
            "erp",
            """
            SELECT sales_order_id, status, payment_status, customer_id, factory_id, total_amount
            FROM sales_orders WHERE status NOT IN ('CANCELLED')
              AND NOT (status = 'INVOICED' AND payment_status = 'PAID')
            ORDER BY random() LIMIT 1""",
        )
        if not row:
            return
        so, status, _pay, customer, factory, total = row[0]
        actor = self.actor()
        today = now.date()
        if status == "OPEN":
            self.write(
                "erp",
                actor,
                lambda c: self.update(
                    c,
                    "erp",
                    "sales_orders",
                    "status = 'CONFIRMED' WHERE sales_order_id = %s",
                    (so,),
                ),
            )
        elif status == "CONFIRMED":
            self._ship(now, so, customer, factory, total, actor)
        elif status == "SHIPPED":
            self.write(
                "erp",
                actor,
                lambda c: self.update(
                    c,
                    "erp",
                    "sales_orders",
                    "status = 'DELIVERED', delivery_date = %s WHERE sales_order_id = %s",
                    (today, so),
                ),
            )
            shipment = self.q(
                "tms",
                "SELECT shipment_id, planned_delivery_date FROM shipments "
                "WHERE sales_order_id = %s AND delivered_at IS NULL",
                (so,),
            )
            if shipment:
                sid, planned = shipment[0]

                def deliver(conn):
                    self.update(
                        conn,
                        "tms",
                        "shipments",
                        "status = 'DELIVERED', delivered_at = %s WHERE shipment_id = %s",
                        (now, sid),
                    )
                    self.insert(
                        conn,
                        "tms",
                        "tracking_events",
                        {"shipment_id": sid, "event_ts": now, "event_type": "DELIVERED"},
                    )
                    self.insert(
                        conn,
                        "tms",
                        "deliveries",
                        {
                            "shipment_id": sid,
                            "delivered_at": now,
                            "condition": "GOOD",
                            "on_time": today <= planned,
                        },
                    )

                self.write("tms", "svc_erp_integration", deliver)
        elif status == "DELIVERED":
            self.write(
                "erp",
                actor,
                lambda c: self.update(
                    c, "erp", "sales_orders", "status = 'INVOICED' WHERE sales_order_id = %s", (so,)
                ),
            )
        else:
            self.write(
                "erp",
                actor,
                lambda c: self.update(
                    c,
                    "erp",
                    "sales_orders",
                    "payment_status = 'PAID', paid_date = %s WHERE sales_order_id = %s",
                    (today, so),
                ),
            )
            self.post(
                now,
                "ERP_SALES",
                so,
                f"Customer payment SO-{so:07d}",
                [("1000", total, None, None), ("1100", -total, None, factory)],
            )

    def _ship(self, now, so, customer, factory, total, actor) -> None:
        lines = self.q(
            "erp",
            "SELECT product_id, quantity FROM sales_order_lines WHERE sales_order_id = %s",
            (so,),
        )
        city = next((c[2] for c in self.plant.customers if c[0] == customer), None)
        routes = [r for r in self.plant.routes if r[2] == city] or self.plant.routes
        cogs = _money(sum(Decimal(self.plant.products[p][1]) * q for p, q in lines))
        self.write(
            "erp",
            actor,
            lambda c: self.update(
                c,
                "erp",
                "sales_orders",
                "status = 'SHIPPED', ship_date = %s WHERE sales_order_id = %s",
                (now.date(), so),
            ),
        )
        self.write(
            "wms",
            "svc_erp_integration",
            lambda c: self.update(
                c,
                "wms",
                "pick_tasks",
                "status = 'PICKED', picked_at = %s WHERE sales_order_id = %s AND status = 'OPEN'",
                (now, so),
            ),
        )
        route = self.pick(routes)

        def ship(conn):
            sid = self.next_id(conn, "shipments", "shipment_id")
            self.insert(
                conn,
                "tms",
                "shipments",
                {
                    "shipment_id": sid,
                    "shipment_number": f"SH-{sid:07d}",
                    "sales_order_id": so,
                    "customer_id": customer,
                    "carrier_id": self.pick(self.plant.carriers),
                    "route_id": route[0],
                    "warehouse_id": route[1],
                    "shipped_at": now,
                    "planned_delivery_date": now.date() + timedelta(days=int(route[3])),
                    "status": "IN_TRANSIT",
                    "freight_cost": Decimal(150),
                },
            )
            self.insert(
                conn,
                "tms",
                "tracking_events",
                {"shipment_id": sid, "event_ts": now, "event_type": "PICKED_UP"},
            )

        self.write("tms", "svc_erp_integration", ship)
        sales = self.plant.cost_centers.get("SALES")
        self.post(
            now,
            "ERP_SALES",
            so,
            f"Invoice SO-{so:07d}",
            [
                ("1100", total, None, factory),
                ("4000", -total, sales, factory),
                ("5000", cogs, None, factory),
                ("1210", -cogs, None, factory),
            ],
        )

    def post(
        self,
        now: datetime,
        module: str,
        doc: int | None,
        text: str,
        lines: list[tuple[str, Decimal, int | None, int | None]],
    ) -> None:
        """A balanced journal entry in the period of `now` (opened when it does not exist)."""
        if sum(line[1] for line in lines) != 0:
            raise AssertionError(f"unbalanced live posting {text}")
        accounts = self.plant.accounts

        def work(conn):
            start = now.date().replace(day=1)
            period = conn.execute(
                "SELECT period_id FROM accounting_periods WHERE %s BETWEEN start_date AND end_date",
                (now.date(),),
            ).fetchone()
            if period is None:
                end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                pid = conn.execute(
                    "SELECT coalesce(max(period_id), 0) + 1 FROM accounting_periods"
                ).fetchone()[0]
                self.insert(
                    conn,
                    "financial",
                    "accounting_periods",
                    {
                        "period_id": pid,
                        "period_code": start.strftime("%Y-%m"),
                        "start_date": start,
                        "end_date": end,
                        "status": "OPEN",
                    },
                )
            else:
                pid = period[0]
            je = self.next_id(conn, "journal_entries", "journal_entry_id")
            self.insert(
                conn,
                "financial",
                "journal_entries",
                {
                    "journal_entry_id": je,
                    "entry_number": f"JE-{now.year}-{je:07d}",
                    "entry_date": now.date(),
                    "period_id": pid,
                    "source_module": module,
                    "source_document_id": doc,
                    "description": text,
                    "status": "POSTED",
                    "posted_by": "svc_erp_integration",
                    "created_at": now,
                },
            )
            k = 0
            for number, amount, cc, factory in lines:
                if amount == 0:
                    continue
                k += 1
                self.insert(
                    conn,
                    "financial",
                    "journal_entry_lines",
                    {
                        "journal_entry_id": je,
                        "line_no": k,
                        "account_id": accounts[number],
                        "cost_center_id": cc,
                        "factory_id": factory,
                        "debit": amount if amount > 0 else 0,
                        "credit": -amount if amount < 0 else 0,
                        "created_at": now,
                    },
                )

        self.write("financial", "svc_erp_integration", work)

    def gl_posting(self, now: datetime) -> None:
        """An overhead bill paid from the bank (utilities, professional fees)."""
        account = self.pick(["6100", "6600", "6110"])
        amount = _money(Decimal(float(self.rng.lognormal(7.5, 0.8))))
        cc = self.plant.cost_centers.get("ADMIN")
        self.post(
            now,
            "GL",
            None,
            "Overhead invoice",
            [(account, amount, cc, None), ("1000", -amount, None, None)],
        )

    def inventory_move(self, now: datetime) -> None:
        """A cycle count adjustment, damage scrap or a receipt; the balance moves with it."""
        row = self.q(
            "wms",
            "SELECT material_id, warehouse_id, quantity_on_hand "
            "FROM inventory_balances ORDER BY random() LIMIT 1",
        )
        if not row:
            return
        material, warehouse, on_hand = row[0]
        cost = self.q(
            "master", "SELECT standard_cost FROM materials WHERE material_id = %s", (material,)
        )[0][0]
        kind = self.pick(["RECEIPT", "ADJUSTMENT", "SCRAP"])
        if kind == "RECEIPT":
            qty = Decimal(int(self.rng.integers(5, 200)))
        elif kind == "ADJUSTMENT":
            qty = (on_hand * Decimal(float(self.rng.normal(0, 0.01)))).quantize(MILLI)
        else:
            qty = -(on_hand * Decimal("0.01")).quantize(MILLI)

        def work(conn):
            # the balance row is locked first, so concurrent writers cannot overdraw it
            current = conn.execute(
                "SELECT quantity_on_hand FROM inventory_balances WHERE "
                "material_id = %s AND warehouse_id = %s FOR UPDATE",
                (material, warehouse),
            ).fetchone()[0]
            if current + qty < 0 or qty == 0:
                return
            ref = None
            if kind == "ADJUSTMENT":
                ref = self.insert(
                    conn,
                    "wms",
                    "cycle_counts",
                    {
                        "material_id": material,
                        "warehouse_id": warehouse,
                        "counted_at": now,
                        "system_quantity": current,
                        "counted_quantity": current + qty,
                        "unit_cost": cost,
                        "root_cause": self.pick(names.COUNT_ROOT_CAUSES),
                        "counter_employee_id": self.employee("Warehouse Associate"),
                        "status": "ADJUSTED",
                    },
                    returning="cycle_count_id",
                )
            self.insert(
                conn,
                "wms",
                "inventory_transactions",
                {
                    "material_id": material,
                    "warehouse_id": warehouse,
                    "tx_type": kind,
                    "quantity": qty,
                    "unit_cost": cost,
                    "tx_ts": now,
                    "reference_type": {
                        "RECEIPT": "LIVE_RECEIPT",
                        "ADJUSTMENT": "CYCLE_COUNT",
                        "SCRAP": "WAREHOUSE_DAMAGE",
                    }[kind],
                    "reference_id": ref,
                    "created_at": now,
                },
            )
            self.update(
                conn,
                "wms",
                "inventory_balances",
                "quantity_on_hand = quantity_on_hand + %s, last_movement_at = %s "
                "WHERE material_id = %s AND warehouse_id = %s",
                (qty, now, material, warehouse),
            )

        self.write("wms", self.actor(), work)
        value = _money(qty * Decimal(cost))
        if value:
            other = "2000" if kind == "RECEIPT" else "5220"
            self.post(
                now,
                "WMS",
                None,
                f"Inventory {kind.lower()}",
                [("1200", value, None, None), (other, -value, None, None)],
            )

    def service_ticket(self, now: datetime) -> None:
        """A new ticket, or the next step of an open one (first response, resolution, close)."""
        open_t = self.q(
            "service",
            "SELECT ticket_id, status FROM service_tickets "
            "WHERE status <> 'CLOSED' ORDER BY random() LIMIT 1",
        )
        if open_t and self.rng.random() < 0.6:
            tid, status = open_t[0]
            step = {
                "OPEN": "status = 'IN_PROGRESS', first_response_at = %s",
                "IN_PROGRESS": "status = 'RESOLVED', resolved_at = %s",
                "RESOLVED": "status = 'CLOSED', closed_at = %s",
            }[status]
            self.write(
                "service",
                self.actor(),
                lambda c: self.update(
                    c, "service", "service_tickets", step + " WHERE ticket_id = %s", (now, tid)
                ),
            )
            return
        customer = self.pick(self.plant.customers)[0]
        priority = self.pick(list(TICKET_PRIORITIES))
        response, resolution, _ = TICKET_PRIORITIES[priority]

        def work(conn):
            tid = self.next_id(conn, "service_tickets", "ticket_id")
            self.insert(
                conn,
                "service",
                "service_tickets",
                {
                    "ticket_id": tid,
                    "ticket_number": f"TCK-{tid:07d}",
                    "customer_id": customer,
                    "product_id": self.pick(list(self.plant.products)),
                    "channel": "PORTAL",
                    "priority": priority,
                    "category": self.pick(names.TICKET_CATEGORIES),
                    "opened_at": now,
                    "sla_response_minutes": response,
                    "sla_resolution_minutes": resolution,
                    "status": "OPEN",
                    "assigned_employee_id": self.employee(
                        "Service Engineer", "Field Service Engineer"
                    ),
                },
            )

        self.write("service", self.actor(), work)

    def crm_case(self, now: datetime) -> None:
        """A customer case (some are complaints), a resolution, or now and then a GDPR request."""
        if self.rng.random() < 0.1:

            def gdpr(conn):
                rid = self.next_id(conn, "gdpr_requests", "request_id")
                self.insert(
                    conn,
                    "crm",
                    "gdpr_requests",
                    {
                        "request_id": rid,
                        "request_number": f"DSR-{rid:05d}",
                        "data_subject_type": "CUSTOMER_CONTACT",
                        "data_subject_id": self.pick(self.plant.customers)[0],
                        "request_type": self.pick(["ACCESS", "DELETE", "PORTABILITY"]),
                        "received_at": now,
                        "due_at": now + timedelta(days=30),
                        "status": "PENDING",
                    },
                )

            self.write("crm", self.actor(), gdpr)
            return
        open_c = self.q(
            "crm",
            "SELECT case_id FROM cases WHERE status IN ('OPEN', 'IN_PROGRESS') "
            "ORDER BY random() LIMIT 1",
        )
        if open_c and self.rng.random() < 0.5:
            self.write(
                "crm",
                self.actor(),
                lambda c: self.update(
                    c,
                    "crm",
                    "cases",
                    "status = 'RESOLVED', resolved_at = %s WHERE case_id = %s",
                    (now, open_c[0][0]),
                ),
            )
            return
        complaint = bool(self.rng.random() < 0.4)

        def work(conn):
            cid = self.next_id(conn, "cases", "case_id")
            self.insert(
                conn,
                "crm",
                "cases",
                {
                    "case_id": cid,
                    "case_number": f"CASE-{cid:07d}",
                    "customer_id": self.pick(self.plant.customers)[0],
                    "category": self.pick(names.CASE_CATEGORIES),
                    "severity": self.pick(["LOW", "MEDIUM", "HIGH"]),
                    "is_complaint": complaint,
                    "opened_at": now,
                    "status": "OPEN",
                },
            )

        self.write("crm", self.actor(), work)

    def login(self, now: datetime) -> None:
        """A session (sometimes after a mistyped password), or rarely a burst of failures."""
        user_id, username = self.pick(self.plant.users)
        events = []
        roll = self.rng.random()
        if roll < 0.01:
            source = f"203.0.113.{int(self.rng.integers(2, 250))}"
            for k in range(int(self.rng.integers(5, 11))):
                events.append(
                    (
                        "LOGIN_FAILED",
                        False,
                        "INVALID_PASSWORD",
                        source,
                        now + timedelta(seconds=3 * k),
                    )
                )
        else:
            ip = f"10.{user_id % 200 + 10}.{user_id % 250}.{user_id * 7 % 250 + 2}"
            if roll < 0.04:
                events.append(("LOGIN_FAILED", False, "INVALID_PASSWORD", ip, now))
            events.append(("LOGIN", True, None, ip, now + timedelta(seconds=20)))

        def work(conn):
            for event, success, reason, ip, ts in events:
                self.insert(
                    conn,
                    "master",
                    "user_login_events",
                    {
                        "user_id": user_id,
                        "username": username,
                        "event_ts": ts,
                        "event_type": event,
                        "success": success,
                        "failure_reason": reason,
                        "ip_address": ip,
                        "user_agent": names.USER_AGENTS[0],
                        "application": self.pick(names.APPLICATIONS),
                    },
                )

        self.write("master", username, work)

    def portal_access(self, now: datetime) -> None:
        supplier = self.pick(self.plant.suppliers)
        granted = bool(self.rng.random() > 0.03)

        def work(conn):
            self.insert(
                conn,
                "supplier",
                "portal_access_log",
                {
                    "supplier_id": supplier,
                    "user_name": f"s{supplier:04d}.user1",
                    "accessed_at": now,
                    "resource": self.pick(names.PORTAL_RESOURCES),
                    "action": self.pick(names.PORTAL_ACTIONS),
                    "ip_address": "198.51.100.20",
                    "access_granted": granted,
                    "session_minutes": 15 if granted else None,
                },
            )

        self.write("supplier", "svc_supplier_portal", work)

    def master_data_change(self, now: datetime) -> None:
        """Changes the warehouse keeps history of: a price, an employee's job, a customer's
        segment or city, a supplier's terms, a module setting."""
        kind = self.pick(["price", "employee", "segment", "city", "supplier", "setting"])
        actor = self.actor()
        if kind == "price":
            pid = self.pick(list(self.plant.products))
            price, std, factory = self.plant.products[pid]
            new = _money(Decimal(price) * Decimal(1 + float(self.rng.uniform(0.01, 0.05))))
            today = now.date()

            def reprice(conn):
                if conn.execute(
                    "SELECT 1 FROM price_lists WHERE product_id = %s AND valid_from >= %s",
                    (pid, today),
                ).fetchone():
                    return
                self.update(
                    conn,
                    "erp",
                    "price_lists",
                    "valid_to = %s WHERE product_id = %s AND valid_to = '9999-12-31'",
                    (today, pid),
                )
                self.insert(
                    conn,
                    "erp",
                    "price_lists",
                    {"product_id": pid, "unit_price": new, "valid_from": today},
                )

            self.write("erp", actor, reprice)
            self.write(
                "master",
                actor,
                lambda c: self.update(
                    c, "master", "products", "list_price = %s WHERE product_id = %s", (new, pid)
                ),
            )
            self.plant.products[pid] = (new, std, factory)
        elif kind == "employee":
            emp = self.employee(*self.plant.employees)
            self.write(
                "hr",
                actor,
                lambda c: self.update(
                    c,
                    "hr",
                    "employees",
                    "hourly_rate = round(hourly_rate * 1.03, 2), job_title = "
                    "CASE WHEN job_title LIKE 'Senior %%' THEN job_title "
                    "ELSE 'Senior ' || job_title END WHERE employee_id = %s",
                    (emp,),
                ),
            )
        elif kind == "segment":
            customer = self.pick(self.plant.customers)[0]
            segment = self.pick(["STRATEGIC", "ENTERPRISE", "MID_MARKET", "SMB"])
            self.write(
                "crm",
                actor,
                lambda c: self.update(
                    c,
                    "crm",
                    "customer_accounts",
                    "segment = %s WHERE customer_id = %s",
                    (segment, customer),
                ),
            )
        elif kind == "city":
            customer = self.pick(self.plant.customers)[0]
            city = self.pick([m[2] for m in names.MARKETS])
            self.write(
                "master",
                actor,
                lambda c: self.update(
                    c, "master", "customers", "city = %s WHERE customer_id = %s", (city, customer)
                ),
            )
        elif kind == "supplier":
            supplier = self.pick(self.plant.suppliers)
            self.write(
                "master",
                actor,
                lambda c: self.update(
                    c,
                    "master",
                    "suppliers",
                    "payment_terms_days = %s WHERE supplier_id = %s",
                    (self.pick([30, 45, 60]), supplier),
                ),
            )
        else:
            self.write(
                "wms",
                actor,
                lambda c: self.update(
                    c,
                    "wms",
                    "module_settings",
                    "setting_value = %s, updated_by = %s "
                    "WHERE setting_key = 'cycle_count.tolerance_pct'",
                    (self.pick(["1", "2", "3"]), actor),
                ),
            )


EVENTS: list[tuple[str, float]] = [
    ("sensor_batch", 24),
    ("login", 12),
    ("advance_sales_order", 10),
    ("new_sales_order", 6),
    ("production_run", 6),
    ("machine_state", 6),
    ("inventory_move", 5),
    ("service_ticket", 4),
    ("portal_access", 3),
    ("gl_posting", 2),
    ("crm_case", 2),
    ("master_data_change", 1),
]


def simulate_live(
    settings: Settings, *, rate: float, duration_s: float | None, seed: int | None
) -> dict[str, int]:
    """Write new activity at about `rate` business events per second until `duration_s` passes
    (or Ctrl-C). Returns the rows inserted or updated per table ("<logical>.<table>")."""
    if rate <= 0:
        raise GenimsError(f"rate must be positive, got {rate}")
    rng = np.random.default_rng(seed)
    names_, weights = zip(*EVENTS, strict=True)
    p = np.array(weights) / sum(weights)
    deadline = None if duration_s is None else time.monotonic() + duration_s
    with LiveSimulator(settings, rng) as sim:
        next_at = time.monotonic()
        try:
            while deadline is None or next_at < deadline:
                wait = next_at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                event = names_[int(rng.choice(len(names_), p=p))]
                try:
                    getattr(sim, event)(datetime.now(UTC))
                except psycopg.Error as exc:
                    raise GenimsError(f"live event {event} failed: {first_line(exc)}") from exc
                sim.counts["events"] += 1
                next_at += rng.exponential(1.0 / rate)
        except KeyboardInterrupt:
            pass
        return dict(sim.counts)
