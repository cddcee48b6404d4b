"""The seeded plant: deterministic, consistent across the 13 databases, and true to the business
rules the reporting and audit tables rely on. Real PostgreSQL, a test-sized plant."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from psycopg import sql

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError
from genims_platform.simulator.core import Horizon

pytestmark = pytest.mark.integration

SCALE = 0.01
DAYS = 20
END = date(2025, 3, 10)  # spans a month end, so two monthly chunks

# Every id held in another database: "<db>.<table>.<column>  <owning db>.<table>.<key>".
CROSS_REFERENCES = [
    tuple(tuple(side.split(".")) for side in line.split())
    for line in """
master.app_users.employee_id                               hr.employees.employee_id
operations.scada_points.machine_id                         master.machines.machine_id
operations.sensor_readings.machine_id                      master.machines.machine_id
operations.production_run_logs.machine_id                  master.machines.machine_id
operations.production_run_logs.line_id                     master.production_lines.line_id
operations.production_run_logs.factory_id                  master.factories.factory_id
operations.production_run_logs.product_id                  master.products.product_id
operations.production_run_logs.work_order_id               manufacturing.work_orders.work_order_id
operations.equipment_status_changes.machine_id             master.machines.machine_id
operations.machine_faults.machine_id                       master.machines.machine_id
manufacturing.work_orders.product_id                       master.products.product_id
manufacturing.work_orders.line_id                          master.production_lines.line_id
manufacturing.work_orders.factory_id                       master.factories.factory_id
manufacturing.work_orders.sales_order_id                   erp.sales_orders.sales_order_id
manufacturing.work_order_operations.machine_id             master.machines.machine_id
manufacturing.labor_transactions.employee_id               hr.employees.employee_id
manufacturing.labor_transactions.line_id                   master.production_lines.line_id
manufacturing.material_consumption.material_id             master.materials.material_id
manufacturing.material_consumption.factory_id              master.factories.factory_id
manufacturing.production_schedules.line_id                 master.production_lines.line_id
maintenance.maintenance_work_orders.machine_id             master.machines.machine_id
maintenance.maintenance_work_orders.fault_id               operations.machine_faults.fault_id
maintenance.maintenance_work_orders.technician_employee_id hr.employees.employee_id
maintenance.maintenance_history.machine_id                 master.machines.machine_id
maintenance.spare_parts.material_id                        master.materials.material_id
quality.inspections.factory_id                             master.factories.factory_id
quality.inspections.line_id                                master.production_lines.line_id
quality.inspections.product_id                             master.products.product_id
quality.inspections.material_id                            master.materials.material_id
quality.inspections.supplier_id                            master.suppliers.supplier_id
quality.inspections.work_order_id                          manufacturing.work_orders.work_order_id
quality.inspections.goods_receipt_id                       erp.goods_receipts.goods_receipt_id
quality.inspections.inspector_employee_id                  hr.employees.employee_id
quality.non_conformances.product_id                        master.products.product_id
quality.non_conformances.material_id                       master.materials.material_id
quality.non_conformances.supplier_id                       master.suppliers.supplier_id
quality.corrective_actions.owner_employee_id               hr.employees.employee_id
quality.quality_holds.material_id                          master.materials.material_id
quality.quality_holds.product_id                           master.products.product_id
quality.quality_holds.warehouse_id                         master.warehouses.warehouse_id
quality.quality_holds.placed_by_employee_id                hr.employees.employee_id
quality.quality_holds.released_by_employee_id              hr.employees.employee_id
quality.recalls.product_id                                 master.products.product_id
erp.sales_orders.customer_id                               master.customers.customer_id
erp.sales_orders.factory_id                                master.factories.factory_id
erp.sales_orders.sales_rep_id                              crm.sales_reps.sales_rep_id
erp.sales_order_lines.product_id                           master.products.product_id
erp.purchase_orders.supplier_id                            master.suppliers.supplier_id
erp.purchase_orders.cost_center_id                         master.cost_centers.cost_center_id
erp.purchase_orders.factory_id                             master.factories.factory_id
erp.purchase_orders.buyer_employee_id                      hr.employees.employee_id
erp.purchase_orders.approved_by_employee_id                hr.employees.employee_id
erp.purchase_order_lines.material_id                       master.materials.material_id
erp.goods_receipts.material_id                             master.materials.material_id
erp.goods_receipts.warehouse_id                            master.warehouses.warehouse_id
erp.price_lists.product_id                                 master.products.product_id
erp.approvals.approver_employee_id                         hr.employees.employee_id
financial.journal_entry_lines.cost_center_id               master.cost_centers.cost_center_id
financial.journal_entry_lines.factory_id                   master.factories.factory_id
financial.journal_entries.approved_by_employee_id          hr.employees.employee_id
financial.budgets.cost_center_id                           master.cost_centers.cost_center_id
financial.disputes.customer_id                             master.customers.customer_id
financial.disputes.supplier_id                             master.suppliers.supplier_id
wms.inventory_balances.material_id                         master.materials.material_id
wms.inventory_balances.warehouse_id                        master.warehouses.warehouse_id
wms.inventory_transactions.material_id                     master.materials.material_id
wms.inventory_transactions.warehouse_id                    master.warehouses.warehouse_id
wms.cycle_counts.material_id                               master.materials.material_id
wms.cycle_counts.warehouse_id                              master.warehouses.warehouse_id
wms.cycle_counts.counter_employee_id                       hr.employees.employee_id
wms.pick_tasks.sales_order_id                              erp.sales_orders.sales_order_id
wms.pick_tasks.sales_order_line_id                         erp.sales_order_lines.sales_order_line_id
wms.pick_tasks.product_id                                  master.products.product_id
wms.pick_tasks.warehouse_id                                master.warehouses.warehouse_id
wms.pick_tasks.picker_employee_id                          hr.employees.employee_id
wms.receiving.goods_receipt_id                             erp.goods_receipts.goods_receipt_id
wms.receiving.purchase_order_id                            erp.purchase_orders.purchase_order_id
wms.receiving.material_id                                  master.materials.material_id
wms.receiving.warehouse_id                                 master.warehouses.warehouse_id
tms.routes.origin_warehouse_id                             master.warehouses.warehouse_id
tms.shipments.sales_order_id                               erp.sales_orders.sales_order_id
tms.shipments.customer_id                                  master.customers.customer_id
tms.shipments.warehouse_id                                 master.warehouses.warehouse_id
crm.customer_accounts.customer_id                          master.customers.customer_id
crm.sales_reps.employee_id                                 hr.employees.employee_id
crm.leads.customer_id                                      master.customers.customer_id
crm.opportunities.customer_id                              master.customers.customer_id
crm.sales_forecasts.product_id                             master.products.product_id
crm.cases.customer_id                                      master.customers.customer_id
crm.gdpr_requests.fulfilled_by_employee_id                 hr.employees.employee_id
service.service_tickets.customer_id                        master.customers.customer_id
service.service_tickets.product_id                         master.products.product_id
service.service_tickets.assigned_employee_id               hr.employees.employee_id
service.warranty_claims.customer_id                        master.customers.customer_id
service.warranty_claims.product_id                         master.products.product_id
service.warranty_claims.approved_by_employee_id            hr.employees.employee_id
service.returns.customer_id                                master.customers.customer_id
service.returns.product_id                                 master.products.product_id
service.returns.sales_order_id                             erp.sales_orders.sales_order_id
service.field_service_visits.technician_employee_id        hr.employees.employee_id
service.field_service_visits.customer_id                   master.customers.customer_id
hr.departments.factory_id                                  master.factories.factory_id
hr.departments.cost_center_id                              master.cost_centers.cost_center_id
hr.employees.factory_id                                    master.factories.factory_id
hr.shifts.factory_id                                       master.factories.factory_id
hr.timesheets.cost_center_id                               master.cost_centers.cost_center_id
supplier.contracts.supplier_id                             master.suppliers.supplier_id
supplier.contracts.owner_employee_id                       hr.employees.employee_id
supplier.supplier_invoices.supplier_id                     master.suppliers.supplier_id
supplier.supplier_invoices.purchase_order_id               erp.purchase_orders.purchase_order_id
supplier.rfqs.material_id                                  master.materials.material_id
supplier.rfqs.supplier_id                                  master.suppliers.supplier_id
supplier.certifications.supplier_id                        master.suppliers.supplier_id
supplier.supplier_audits.supplier_id                       master.suppliers.supplier_id
supplier.portal_access_log.supplier_id                     master.suppliers.supplier_id
supplier.portal_access_log.approved_by_employee_id         hr.employees.employee_id
supplier.supplier_ratings.supplier_id                      master.suppliers.supplier_id
""".strip().splitlines()
]

# Rows that must agree across databases: (db, query) pairs joined on the first column.
AGREEMENTS = [
    (
        "shipment customer = order customer",
        ("tms", "SELECT sales_order_id, customer_id FROM shipments"),
        ("erp", "SELECT sales_order_id, customer_id FROM sales_orders"),
    ),
    (
        "pick task line belongs to its order",
        ("wms", "SELECT sales_order_line_id, sales_order_id FROM pick_tasks"),
        ("erp", "SELECT sales_order_line_id, sales_order_id FROM sales_order_lines"),
    ),
    (
        "receiving matches its goods receipt",
        (
            "wms",
            "SELECT goods_receipt_id, purchase_order_id, material_id, warehouse_id, quantity "
            "FROM receiving",
        ),
        (
            "erp",
            "SELECT goods_receipt_id, purchase_order_id, material_id, warehouse_id, "
            "quantity_received FROM goods_receipts",
        ),
    ),
    (
        "corrective MWO happens on the faulty machine",
        (
            "maintenance",
            "SELECT fault_id, machine_id FROM maintenance_work_orders WHERE fault_id IS NOT NULL",
        ),
        ("operations", "SELECT fault_id, machine_id FROM machine_faults"),
    ),
    (
        "an order is booked by the customer's account manager",
        ("erp", "SELECT customer_id, sales_rep_id FROM sales_orders"),
        ("crm", "SELECT customer_id, account_manager_rep_id FROM customer_accounts"),
    ),
]


def query(settings, logical: str, text: str, params=()) -> list[tuple]:
    with pg.connect(settings.pg_primary, settings.source_db(logical), logical=logical) as conn:
        return conn.execute(text, params).fetchall()


def scalar(settings, logical: str, text: str, params=()):
    return query(settings, logical, text, params)[0][0]


def seed_plant(settings, *, seed: int = 7, replace: bool = True) -> dict[str, int]:
    from genims_platform.simulator import seed as run_seed

    return run_seed(
        settings, scale=SCALE, days=DAYS, seed=seed, end_date=END, replace=replace, progress=False
    )


@pytest.fixture(scope="module")
def seeded(initialized):
    """A test-sized plant in the initialised source databases (capture installed)."""
    counts = seed_plant(initialized)
    return initialized, counts


def checksums(settings) -> dict[str, str]:
    """md5 of every source table's rows in primary-key order."""
    out = {}
    for logical in SOURCE_DATABASES:
        with pg.connect(settings.pg_primary, settings.source_db(logical), logical=logical) as conn:
            tables = conn.execute(
                "SELECT c.relname, array_agg(a.attname ORDER BY k.ord) "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
                "WHERE i.indisprimary AND n.nspname = 'public' GROUP BY c.relname"
            ).fetchall()
            for table, keys in tables:
                q = sql.SQL(
                    "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY {}), '')) FROM {} t"
                ).format(sql.SQL(", ").join(sql.Identifier(k) for k in keys), sql.Identifier(table))
                out[f"{logical}.{table}"] = conn.execute(q).fetchone()[0]
    return out


def missing_references(settings) -> list[str]:
    """Every cross-database reference that does not resolve, as readable text."""
    problems = []
    cache: dict[tuple, set] = {}
    for (db, table, column), owner in CROSS_REFERENCES:
        if owner not in cache:
            o_db, o_table, o_key = owner
            cache[owner] = {
                r[0]
                for r in query(
                    settings,
                    o_db,
                    sql.SQL("SELECT {} FROM {}")
                    .format(sql.Identifier(o_key), sql.Identifier(o_table))
                    .as_string(),
                )
            }
        values = {
            r[0]
            for r in query(
                settings,
                db,
                sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} IS NOT NULL")
                .format(sql.Identifier(column), sql.Identifier(table), sql.Identifier(column))
                .as_string(),
            )
        }
        lost = values - cache[owner]
        if lost:
            problems.append(f"{db}.{table}.{column}: {sorted(lost)[:5]} not in {owner}")
    # standard costs point at products or materials depending on item_type
    for item_type, table, key in (
        ("PRODUCT", "products", "product_id"),
        ("MATERIAL", "materials", "material_id"),
    ):
        ids = {
            r[0]
            for r in query(
                settings,
                "erp",
                "SELECT item_id FROM standard_costs WHERE item_type = %s",
                (item_type,),
            )
        }
        owned = {r[0] for r in query(settings, "master", f"SELECT {key} FROM {table}")}
        if ids - owned:
            problems.append(f"erp.standard_costs {item_type}: {sorted(ids - owned)[:5]}")
    # GDPR subjects exist in the database their type names
    for kind, db, table, key in (
        ("CUSTOMER_CONTACT", "master", "customers", "customer_id"),
        ("EMPLOYEE", "hr", "employees", "employee_id"),
        ("SUPPLIER_CONTACT", "master", "suppliers", "supplier_id"),
    ):
        ids = {
            r[0]
            for r in query(
                settings,
                "crm",
                "SELECT data_subject_id FROM gdpr_requests WHERE data_subject_type = %s",
                (kind,),
            )
        }
        owned = {r[0] for r in query(settings, db, f"SELECT {key} FROM {table}")}
        if ids - owned:
            problems.append(f"crm.gdpr_requests {kind}: {sorted(ids - owned)[:5]}")
    return problems


def disagreements(settings) -> list[str]:
    problems = []
    for label, (db_a, q_a), (db_b, q_b) in AGREEMENTS:
        right = {r[0]: r[1:] for r in query(settings, db_b, q_b)}
        for row in query(settings, db_a, q_a):
            if right.get(row[0]) != row[1:]:
                problems.append(f"{label}: {row} vs {right.get(row[0])}")
                break
    return problems


def unbalanced_entries(settings) -> list[tuple]:
    return query(
        settings,
        "financial",
        """
        SELECT e.journal_entry_id, sum(l.debit), sum(l.credit)
        FROM journal_entries e LEFT JOIN journal_entry_lines l USING (journal_entry_id)
        GROUP BY e.journal_entry_id
        HAVING coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0) OR count(l.*) < 2
    """,
    )


def inventory_problems(settings) -> list[tuple]:
    """Balances that differ from the sum of movements, or running balances that dip below 0."""
    sums = {
        (m, w): q
        for m, w, q in query(
            settings,
            "wms",
            """
        SELECT material_id, warehouse_id, sum(quantity) FROM inventory_transactions GROUP BY 1, 2
    """,
        )
    }
    bad = [
        (m, w, q, sums.get((m, w), 0))
        for m, w, q in query(
            settings,
            "wms",
            "SELECT material_id, warehouse_id, quantity_on_hand FROM inventory_balances",
        )
        if sums.get((m, w), 0) != q
    ]
    bad += query(
        settings,
        "wms",
        """
        SELECT material_id, warehouse_id, tx_ts, running FROM (
            SELECT material_id, warehouse_id, tx_ts,
                   sum(quantity) OVER (PARTITION BY material_id, warehouse_id
                                       ORDER BY tx_ts, inventory_tx_id) AS running
            FROM inventory_transactions) r
        WHERE running < 0 LIMIT 5
    """,
    )
    return bad


def order_total_mismatches(settings) -> list[tuple]:
    return query(
        settings,
        "erp",
        """
        SELECT o.sales_order_id, o.total_amount, sum(l.line_amount)
        FROM sales_orders o JOIN sales_order_lines l USING (sales_order_id)
        GROUP BY o.sales_order_id, o.total_amount HAVING o.total_amount <> sum(l.line_amount)
        UNION ALL
        SELECT l.sales_order_line_id, l.line_amount,
               round(l.quantity * l.unit_price * (1 - l.discount_pct / 100), 2)
        FROM sales_order_lines l
        WHERE l.line_amount <> round(l.quantity * l.unit_price * (1 - l.discount_pct / 100), 2)
        UNION ALL
        SELECT o.purchase_order_id, o.total_amount, sum(l.line_amount)
        FROM purchase_orders o JOIN purchase_order_lines l USING (purchase_order_id)
        GROUP BY o.purchase_order_id, o.total_amount HAVING o.total_amount <> sum(l.line_amount)
    """,
    )


def run_problems(settings) -> list[tuple]:
    return query(
        settings,
        "operations",
        """
        SELECT run_id FROM production_run_logs
        WHERE units_good + units_rejected <> units_produced
           OR run_minutes > planned_minutes
           OR units_produced > floor(run_minutes * 60 / ideal_cycle_time_s)
    """,
    )


def downtime_problems(settings) -> list[tuple]:
    """DOWN intervals and machine faults must pair up one to one, with the same start and end."""
    return query(
        settings,
        "operations",
        """
        SELECT 'status', s.status_change_id FROM equipment_status_changes s
        WHERE s.status = 'DOWN' AND NOT EXISTS (
            SELECT 1 FROM machine_faults f WHERE f.machine_id = s.machine_id
              AND f.fault_start = s.started_at AND f.fault_end IS NOT DISTINCT FROM s.ended_at)
        UNION ALL
        SELECT 'fault', f.fault_id FROM machine_faults f WHERE NOT EXISTS (
            SELECT 1 FROM equipment_status_changes s WHERE s.status = 'DOWN'
              AND f.machine_id = s.machine_id AND f.fault_start = s.started_at
              AND f.fault_end IS NOT DISTINCT FROM s.ended_at)
        LIMIT 5
    """,
    )


def timeline_gaps(settings) -> list[tuple]:
    """Per machine the intervals follow each other without gap or overlap; only the last is open."""
    return query(
        settings,
        "operations",
        """
        SELECT machine_id, started_at, prev_end FROM (
            SELECT machine_id, started_at, ended_at,
                   lag(ended_at) OVER w AS prev_end, lag(started_at) OVER w AS prev_start,
                   lead(started_at) OVER w AS next_start
            FROM equipment_status_changes WINDOW w AS (PARTITION BY machine_id ORDER BY started_at)
        ) t
        WHERE (prev_start IS NOT NULL AND prev_end IS DISTINCT FROM started_at)
           OR (ended_at IS NULL AND next_start IS NOT NULL)
        LIMIT 5
    """,
    )


def test_seed_returns_rows_for_every_table(seeded):
    settings, counts = seeded
    assert len(counts) >= 80
    empty = sorted(k for k, v in counts.items() if v == 0)
    # rare events may not happen in 20 days of a tiny plant; everything else must be there
    assert set(empty) <= {
        "crm.gdpr_requests",
        "financial.disputes",
        "financial.internal_audit_findings",
        "service.returns",
        "supplier.rfqs",
        "service.field_service_visits",
        "quality.quality_holds",
    }, empty
    stored = scalar(settings, "operations", "SELECT count(*) FROM sensor_readings")
    assert stored == counts["operations.sensor_readings"]


def test_plant_is_small_but_complete(seeded):
    settings, _ = seeded
    sizes = {
        t: scalar(settings, "master", f"SELECT count(*) FROM {t}")
        for t in (
            "factories",
            "production_lines",
            "machines",
            "products",
            "materials",
            "customers",
            "suppliers",
            "warehouses",
        )
    }
    assert sizes["factories"] >= 1 and sizes["production_lines"] >= 2
    assert sizes["machines"] >= 6 and sizes["products"] >= 12 and sizes["materials"] >= 25
    assert sizes["customers"] >= 25 and sizes["suppliers"] >= 12 and sizes["warehouses"] >= 3
    assert scalar(settings, "hr", "SELECT count(*) FROM employees") >= 40


def test_same_seed_same_data_and_other_seed_other_data(seeded):
    settings, _ = seeded
    first = checksums(settings)
    seed_plant(settings)
    assert checksums(settings) == first
    seed_plant(settings, seed=8)
    other = checksums(settings)
    changed = [t for t in first if first[t] != other[t]]
    assert len(changed) > len(first) // 2
    seed_plant(settings)  # leave the module's plant as the other tests expect it


def test_every_cross_database_reference_resolves(seeded):
    settings, _ = seeded
    assert missing_references(settings) == []
    assert disagreements(settings) == []


def test_every_journal_entry_balances(seeded):
    settings, _ = seeded
    assert unbalanced_entries(settings) == []
    # the balance sheet balances too: all accounts together sum to zero
    assert (
        scalar(settings, "financial", "SELECT sum(debit) - sum(credit) FROM journal_entry_lines")
        == 0
    )
    opening = query(
        settings,
        "financial",
        """
        SELECT a.account_type, sum(l.debit - l.credit) FROM journal_entries e
        JOIN journal_entry_lines l USING (journal_entry_id) JOIN gl_accounts a USING (account_id)
        WHERE e.description = 'Opening balances' GROUP BY 1""",
    )
    by_type = dict(opening)
    assert by_type["ASSET"] == -(by_type["LIABILITY"] + by_type["EQUITY"]) > 0


def test_inventory_balances_equal_movements_and_never_go_negative(seeded):
    settings, _ = seeded
    assert inventory_problems(settings) == []
    types = {
        r[0] for r in query(settings, "wms", "SELECT DISTINCT tx_type FROM inventory_transactions")
    }
    assert {"RECEIPT", "ISSUE", "SCRAP", "ADJUSTMENT"} <= types


def test_order_totals_are_the_sum_of_their_lines(seeded):
    settings, _ = seeded
    assert order_total_mismatches(settings) == []
    bad_dates = scalar(
        settings,
        "erp",
        """
        SELECT count(*) FROM sales_orders
        WHERE ship_date < order_date OR delivery_date < ship_date
           OR (status IN ('SHIPPED', 'DELIVERED', 'INVOICED') AND ship_date IS NULL)""",
    )
    assert bad_dates == 0


def test_costs_and_prices_are_effective_dated(seeded):
    settings, _ = seeded
    overlaps = query(
        settings,
        "erp",
        """
        SELECT 'cost', a.item_type, a.item_id FROM standard_costs a JOIN standard_costs b
          ON a.item_type = b.item_type AND a.item_id = b.item_id
         AND a.standard_cost_id < b.standard_cost_id
         AND a.valid_from < b.valid_to AND b.valid_from < a.valid_to
        UNION ALL
        SELECT 'price', 'PRODUCT', a.product_id FROM price_lists a JOIN price_lists b
          ON a.product_id = b.product_id AND a.price_list_id < b.price_list_id
         AND a.valid_from < b.valid_to AND b.valid_from < a.valid_to""",
    )
    assert overlaps == []
    # consumption is valued at the material's standard cost of its day
    versions = query(
        settings,
        "erp",
        "SELECT item_id, valid_from, valid_to, unit_cost "
        "FROM standard_costs WHERE item_type = 'MATERIAL'",
    )
    used = query(
        settings,
        "manufacturing",
        "SELECT material_id, consumed_at::date, unit_cost FROM material_consumption",
    )
    assert used
    for material, day, cost in used:
        valid = [c for m, f, t, c in versions if m == material and f <= day < t]
        assert valid == [cost], (material, day, cost, valid)
    # sales lines use the price list of the order date
    prices = query(
        settings,
        "erp",
        """
        SELECT count(*) FROM sales_order_lines l JOIN sales_orders o USING (sales_order_id)
        LEFT JOIN price_lists p ON p.product_id = l.product_id
         AND o.order_date >= p.valid_from AND o.order_date < p.valid_to
        WHERE p.unit_price IS DISTINCT FROM l.unit_price""",
    )
    assert prices == [(0,)]


def test_production_runs_add_up(seeded):
    settings, _ = seeded
    assert run_problems(settings) == []
    oee = scalar(
        settings,
        "operations",
        """
        SELECT sum(run_minutes) / sum(planned_minutes)
             * sum(units_produced * ideal_cycle_time_s / 60) / sum(run_minutes)
             * sum(units_good)::numeric / sum(units_produced)
        FROM production_run_logs""",
    )
    assert 0.55 <= oee <= 0.85


def test_down_intervals_and_faults_pair_up_and_states_tile_time(seeded):
    settings, _ = seeded
    assert downtime_problems(settings) == []
    assert timeline_gaps(settings) == []


def test_sla_breaches_are_present_but_a_minority(seeded):
    settings, _ = seeded
    breached, total = query(
        settings,
        "service",
        """
        SELECT count(*) FILTER (WHERE first_response_at - opened_at
                                      > sla_response_minutes * interval '1 minute'),
               count(first_response_at)
        FROM service_tickets""",
    )[0]
    assert total > 0
    assert 0 < breached < total * 0.35


def test_login_failures_and_a_burst(seeded):
    settings, _ = seeded
    failed, total = query(
        settings,
        "master",
        """
        SELECT count(*) FILTER (WHERE NOT success), count(*) FROM user_login_events""",
    )[0]
    assert 0 < failed < total * 0.2
    burst = scalar(
        settings,
        "master",
        """
        SELECT max(n) FROM (
            SELECT count(*) OVER (PARTITION BY username ORDER BY event_ts
                                  RANGE BETWEEN interval '10 minutes' PRECEDING AND CURRENT ROW) n
            FROM user_login_events WHERE NOT success) t""",
    )
    assert burst >= 5


def test_change_markers_are_business_times(seeded):
    settings, _ = seeded
    cutoff = f"{END.isoformat()} 00:00:00+00"
    assert scalar(settings, "erp", "SELECT max(updated_at) FROM sales_orders") <= scalar(
        settings, "erp", "SELECT %s::timestamptz + interval '1 day'", (cutoff,)
    )
    assert scalar(settings, "hr", "SELECT min(updated_at) FROM timesheets").year <= END.year


def test_history_never_reaches_past_the_wall_clock():
    now = datetime(2026, 5, 4, 13, 37, tzinfo=UTC)
    today = Horizon.ending(now.date(), 10, now=now)
    assert today.cutoff_ts == int(datetime(2026, 5, 4, 13, tzinfo=UTC).timestamp())
    past = Horizon.ending(END, DAYS, now=now)
    assert past.cutoff_ts == int(datetime(2025, 3, 11, tzinfo=UTC).timestamp())
    assert [c.first_day for c in past.chunks()][1] == (date(2025, 3, 1) - date(1970, 1, 1)).days


def test_seeding_over_data_needs_replace(seeded):
    settings, _ = seeded
    with pytest.raises(GenimsError, match="--replace"):
        seed_plant(settings, replace=False)
    # nothing was touched
    assert scalar(settings, "erp", "SELECT count(*) FROM sales_orders") > 0


def test_identity_sequences_continue_after_the_seed(seeded):
    settings, _ = seeded
    with pg.connect(settings.pg_primary, settings.source_db("crm"), logical="crm") as conn:
        top = conn.execute("SELECT max(case_id) FROM cases").fetchone()[0]
        new = conn.execute(
            "INSERT INTO cases (case_number, customer_id, category, severity, opened_at, status) "
            "VALUES ('CASE-TEST', 1, 'OTHER', 'LOW', now(), 'OPEN') RETURNING case_id"
        ).fetchone()[0]
        conn.rollback()
    assert new > top


def test_a_history_that_ends_today_stops_at_the_current_hour(settings):
    """Seeding up to today (as `make demo` does) at 09:37: nothing is dated at or after 09:00,
    and every NOT NULL change marker is filled (rows arriving later today are not generated)."""
    import os
    import uuid

    from genims_platform.settings import load_settings
    from genims_platform.simulator import seed as run_seed
    from genims_platform.sources import capture
    from genims_platform.sources.contract import apply_contract

    now = datetime(2026, 5, 4, 9, 37, tzinfo=UTC)
    cutoff = datetime(2026, 5, 4, 9, tzinfo=UTC)
    tag = uuid.uuid4().hex[:6]
    names = {logical: f"{settings.source_db(logical)}_{tag}" for logical in SOURCE_DATABASES}
    own = load_settings(
        {**os.environ, **{f"PG_DATABASE_{lg.upper()}": n for lg, n in names.items()}}
    )
    try:
        for logical, name in names.items():
            pg.create_database(own.pg_primary, name)
            apply_contract(own, logical)
            capture.install_capture(own, logical)
        counts = run_seed(
            own, scale=SCALE, days=10, seed=3, end_date=now.date(), progress=False, now=now
        )
        assert counts["crm.leads"] > 0
        for logical in SOURCE_DATABASES:
            with pg.connect(own.pg_primary, names[logical], logical=logical) as conn:
                tables = conn.execute(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = 'updated_at'"
                ).fetchall()
                for (table,) in tables:
                    latest = conn.execute(
                        sql.SQL("SELECT max(updated_at) FROM {}").format(sql.Identifier(table))
                    ).fetchone()[0]
                    assert latest is None or latest < cutoff, (logical, table, latest)
    finally:
        for name in names.values():
            pg.drop_database(own.pg_primary, name)
