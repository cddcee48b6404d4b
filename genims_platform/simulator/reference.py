"""Rows of the reference tables: the plant's entities as each database stores them."""

from __future__ import annotations

import numpy as np

from genims_platform.simulator.core import DAY, HOUR, NULL_INT, Output
from genims_platform.simulator.plant import INVENTORY_ACCOUNTS, MODULE_SETTINGS, Plant


def _business_ts(rng: np.random.Generator, days: np.ndarray, cutoff_ts: int) -> np.ndarray:
    """Office-hours timestamps on the given days, never at or after the cutoff (a history that
    ends today stops at the current hour)."""
    days = np.asarray(days, dtype=np.int64)
    ts = days * DAY + 8 * HOUR + rng.integers(0, 9 * HOUR, len(days))
    return np.minimum(ts, cutoff_ts - 1)


def reference_frames(plant: Plant) -> Output:
    """Master data, organisation, catalogue and configuration rows of all 13 databases."""
    out = Output()
    rng = plant.rng("reference_timestamps")
    h = plant.horizon
    cutoff = h.cutoff_ts
    first = h.first_day

    def before_history(n: int) -> np.ndarray:
        return _business_ts(rng, first - rng.integers(1, 60, n), cutoff)

    f = plant.factories
    created = _business_ts(rng, f["opened_day"], cutoff)
    out.add(
        "master.factories",
        factory_id=f["factory_id"],
        factory_code=f["code"],
        factory_name=f["name"],
        country=f["country"],
        region=f["region"],
        city=f["city"],
        timezone=f["timezone"],
        is_active=np.ones(len(created), bool),
        created_at=created,
        updated_at=np.maximum(created, before_history(len(created))),
    )
    li = plant.lines
    out.add(
        "master.production_lines",
        line_id=li["line_id"],
        factory_id=li["factory_id"],
        line_code=li["code"],
        line_name=li["name"],
        line_type=li["type"],
        design_capacity_units_per_hour=li["design_capacity"],
        is_active=np.ones(len(li["line_id"]), bool),
        updated_at=before_history(len(li["line_id"])),
    )
    m = plant.machines
    out.add(
        "master.machines",
        machine_id=m["machine_id"],
        line_id=m["line_id"],
        factory_id=m["factory_id"],
        machine_code=m["code"],
        machine_name=m["name"],
        machine_type=m["type"],
        manufacturer=m["manufacturer"],
        ideal_cycle_time_s=m["ict"],
        install_date=m["install_day"],
        criticality=m["criticality"],
        is_active=np.ones(len(m["machine_id"]), bool),
        updated_at=np.maximum(
            _business_ts(rng, m["install_day"], cutoff),
            before_history(len(m["machine_id"])),
        ),
    )
    p = plant.products
    n_p = len(p["product_id"])
    costs, prices = plant.product_costs, plant.prices
    last_cost_change = np.array([costs.valid_from[costs.item == i].max() for i in p["product_id"]])
    last_price_change = np.array(
        [prices.valid_from[prices.item == i].max() for i in p["product_id"]]
    )
    out.add(
        "master.products",
        product_id=p["product_id"],
        sku=p["sku"],
        product_name=p["name"],
        category=p["category"],
        product_family=p["family"],
        unit_of_measure=["EA"] * n_p,
        list_price=prices.current("unit_price", n_p),
        standard_cost=costs.current("unit_cost", n_p),
        lifecycle_status=p["lifecycle"],
        launch_date=p["launch_day"],
        updated_at=_business_ts(rng, np.maximum(last_cost_change, last_price_change), cutoff),
    )
    mt = plant.materials
    n_m = len(mt["material_id"])
    mcost = plant.material_costs
    last_m_change = np.array([mcost.valid_from[mcost.item == i].max() for i in mt["material_id"]])
    out.add(
        "master.materials",
        material_id=mt["material_id"],
        material_code=mt["code"],
        material_name=mt["name"],
        material_type=mt["type"],
        unit_of_measure=mt["uom"],
        standard_cost=mcost.current("unit_cost", n_m),
        lead_time_days=mt["lead_time"],
        shelf_life_days=mt["shelf_life"],
        updated_at=_business_ts(rng, last_m_change, cutoff),
    )
    c = plant.customers
    c_created = _business_ts(rng, c["created_day"], cutoff)
    c_updated = np.where(
        c["churn_day"] != NULL_INT,
        _business_ts(rng, c["churn_day"], cutoff),
        c_created,
    )
    out.add(
        "master.customers",
        customer_id=c["customer_id"],
        customer_code=c["code"],
        customer_name=c["name"],
        customer_type=c["type"],
        industry=c["industry"],
        country=c["country"],
        region=c["region"],
        city=c["city"],
        credit_limit=c["credit_limit"],
        payment_terms_days=c["terms"],
        email=c["email"],
        phone=c["phone"],
        is_active=c["churn_day"] == NULL_INT,
        created_at=c_created,
        updated_at=c_updated,
    )
    s = plant.suppliers
    s_created = _business_ts(rng, s["created_day"], cutoff)
    out.add(
        "master.suppliers",
        supplier_id=s["supplier_id"],
        supplier_code=s["code"],
        supplier_name=s["name"],
        supplier_category=s["category"],
        country=s["country"],
        region=s["region"],
        city=s["city"],
        payment_terms_days=s["terms"],
        email=[f"sales@{n.lower().replace(' ', '-')}.example" for n in s["name"]],
        is_active=np.ones(len(s_created), bool),
        created_at=s_created,
        updated_at=s_created,
    )
    w = plant.warehouses
    out.add(
        "master.warehouses",
        warehouse_id=w["warehouse_id"],
        factory_id=w["factory_id"],
        warehouse_code=w["code"],
        warehouse_name=w["name"],
        warehouse_type=w["type"],
        country=w["country"],
        city=w["city"],
        updated_at=before_history(len(w["warehouse_id"])),
    )
    cc = plant.cost_centers
    out.add(
        "master.cost_centers",
        cost_center_id=cc["cost_center_id"],
        cost_center_code=cc["code"],
        cost_center_name=cc["name"],
        cost_center_type=cc["type"],
        factory_id=cc["factory_id"],
        updated_at=before_history(len(cc["code"])),
    )
    e = plant.employees
    u = plant.app_users
    n_u = len(u["user_id"])
    emp = u["employee_id"]
    has_emp = emp != NULL_INT
    emp_idx = np.where(has_emp, emp - 1, 0)
    u_created = np.where(
        has_emp,
        _business_ts(rng, np.maximum(e["hire_day"][emp_idx], first - 900), cutoff),
        before_history(n_u) - 400 * DAY,
    )
    term = np.where(has_emp, e["term_day"][emp_idx], NULL_INT)
    out.add(
        "master.app_users",
        user_id=u["user_id"],
        username=u["username"],
        email=u["email"],
        employee_id=emp,
        role=u["role"],
        mfa_enabled=u["mfa"],
        is_active=term == NULL_INT,
        created_at=u_created,
        updated_at=np.where(
            term != NULL_INT,
            _business_ts(rng, term, cutoff - HOUR) + HOUR,
            u_created,
        ),
    )

    _organisation(out, plant, rng)
    _catalogue(out, plant, rng)
    for logical, rows in MODULE_SETTINGS.items():
        out.add(
            f"{logical}.module_settings",
            setting_key=[r[0] for r in rows],
            setting_value=[r[1] for r in rows],
            description=[r[2] for r in rows],
            updated_by=["svc_erp_integration"] * len(rows),
            updated_at=before_history(len(rows)),
        )
    return out


def _organisation(out: Output, plant: Plant, rng: np.random.Generator) -> None:
    first, cutoff = plant.horizon.first_day, plant.horizon.cutoff_ts
    d = plant.departments
    n_d = len(d["department_id"])
    out.add(
        "hr.departments",
        department_id=d["department_id"],
        department_code=d["code"],
        department_name=d["name"],
        factory_id=d["factory_id"],
        parent_department_id=d["parent"],
        cost_center_id=d["cost_center_id"],
        updated_at=_business_ts(rng, first - rng.integers(30, 400, n_d), cutoff),
    )
    e = plant.employees
    n = len(e["employee_id"])
    created = _business_ts(rng, np.maximum(e["hire_day"] - rng.integers(5, 30, n), 0), cutoff)
    changes = np.vstack(
        [
            created,
            np.where(e["term_day"] != NULL_INT, e["term_day"] * DAY + 17 * HOUR, NULL_INT),
            np.where(e["leave_start"] != NULL_INT, e["leave_start"] * DAY + 9 * HOUR, NULL_INT),
            np.where(
                e["profile_change_day"] != NULL_INT,
                e["profile_change_day"] * DAY + 10 * HOUR,
                NULL_INT,
            ),
        ]
    )
    changes = np.where(changes < cutoff, changes, NULL_INT)
    status = np.where(
        e["term_day"] != NULL_INT,
        "TERMINATED",
        np.where(e["leave_start"] != NULL_INT, "ON_LEAVE", "ACTIVE"),
    )
    out.add(
        "hr.employees",
        employee_id=e["employee_id"],
        employee_number=e["number"],
        first_name=e["first"],
        last_name=e["last"],
        email=e["email"],
        job_title=e["title"],
        department_id=e["department_id"],
        factory_id=e["factory_id"],
        manager_employee_id=e["manager"],
        employment_type=e["type"],
        hire_date=e["hire_day"],
        termination_date=e["term_day"],
        hourly_rate=e["rate"],
        status=status,
        created_at=created,
        updated_at=changes.max(axis=0),
    )
    s = plant.shifts
    out.add(
        "hr.shifts",
        shift_id=s["shift_id"],
        shift_code=s["code"],
        shift_name=s["name"],
        factory_id=s["factory_id"],
        start_time=[f"{h:02d}:00" for h in s["start_hour"]],
        end_time=[f"{(h + 8) % 24:02d}:00" for h in s["start_hour"]],
        updated_at=_business_ts(rng, np.full(len(s["code"]), first - 200), cutoff),
    )
    r = plant.sales_reps
    n_r = len(r["sales_rep_id"])
    out.add(
        "crm.sales_reps",
        sales_rep_id=r["sales_rep_id"],
        employee_id=r["employee_id"],
        rep_name=r["name"],
        region=r["region"],
        team=r["team"],
        commission_rate=r["commission"],
        is_active=r["active"],
        updated_at=np.where(
            r["active"],
            _business_ts(rng, np.full(n_r, first - 30), cutoff),
            e["term_day"][r["employee_id"] - 1] * DAY + 17 * HOUR,
        ),
    )
    c = plant.customers
    created = _business_ts(rng, c["created_day"], cutoff - HOUR) + HOUR
    churned = np.where(c["churn_day"] != NULL_INT, c["churn_day"] * DAY + 15 * HOUR, NULL_INT)
    stage = np.where(
        churned != NULL_INT,
        "CHURNED",
        np.where(
            c["created_day"] > plant.horizon.cutoff_day - 90,
            "NEW",
            np.where(c["nps"] < -20, "AT_RISK", "ACTIVE"),
        ),
    )
    out.add(
        "crm.customer_accounts",
        account_id=c["customer_id"],
        customer_id=c["customer_id"],
        segment=c["segment"],
        account_manager_rep_id=c["rep_id"],
        lifecycle_stage=stage,
        nps_score=c["nps"],
        churned_at=churned,
        contact_name=c["contact"],
        contact_email=[
            f"{x.split()[0].lower()}.{x.split()[1].lower()}@{em.split('@')[1]}"
            for x, em in zip(c["contact"], c["email"], strict=True)
        ],
        contact_phone=c["phone"],
        created_at=created,
        updated_at=np.maximum(created, churned),
    )


def _catalogue(out: Output, plant: Plant, rng: np.random.Generator) -> None:
    first, cutoff = plant.horizon.first_day, plant.horizon.cutoff_ts
    pt = plant.scada_points
    n = len(pt["point_id"])
    out.add(
        "operations.scada_points",
        point_id=pt["point_id"],
        machine_id=pt["machine_id"],
        tag_name=pt["tag"],
        measurement=pt["measurement"],
        unit=pt["unit"],
        low_limit=pt["low"],
        high_limit=pt["high"],
        updated_at=_business_ts(rng, np.full(n, first - 100), cutoff),
    )
    ca = plant.carriers
    out.add(
        "tms.carriers",
        carrier_id=ca["carrier_id"],
        carrier_code=ca["code"],
        carrier_name=ca["name"],
        mode=ca["mode"],
        on_time_target_pct=ca["target"],
        is_active=np.ones(len(ca["code"]), bool),
        updated_at=_business_ts(rng, np.full(len(ca["code"]), first - 120), cutoff),
    )
    ro = plant.routes
    out.add(
        "tms.routes",
        route_id=ro["route_id"],
        origin_warehouse_id=ro["origin"],
        destination_country=ro["country"],
        destination_region=ro["region"],
        destination_city=ro["city"],
        distance_km=ro["distance"],
        standard_transit_days=ro["transit"],
        updated_at=_business_ts(rng, np.full(len(ro["city"]), first - 90), cutoff),
    )
    a = plant.accounts
    n_a = len(a["number"])
    out.add(
        "financial.gl_accounts",
        account_id=a["account_id"],
        account_number=a["number"],
        account_name=a["name"],
        account_type=a["type"],
        account_subtype=a["subtype"],
        cash_flow_category=a["cash_flow"],
        cost_element=a["cost_element"],
        is_inventory=np.isin(a["number"], INVENTORY_ACCOUNTS),
        is_active=np.ones(n_a, bool),
        updated_at=_business_ts(rng, np.full(n_a, first - 365), cutoff),
    )
    pe = plant.periods
    out.add(
        "financial.accounting_periods",
        period_id=pe["period_id"],
        period_code=pe["code"],
        start_date=pe["start_day"],
        end_date=pe["end_day"],
        status=np.where(pe["closed"], "CLOSED", "OPEN"),
        closed_at=pe["closed_ts"],
        updated_at=np.where(
            pe["closed"],
            pe["closed_ts"],
            _business_ts(rng, pe["start_day"] - 3, cutoff),
        ),
    )
    # effective-dated costs and prices; a revision is recorded a few days before it applies
    pc, mc, pr = plant.product_costs, plant.material_costs, plant.prices
    n_pc, n_mc = len(pc.item), len(mc.item)
    items = np.concatenate([pc.item, mc.item + 10**9])
    valid_from = np.concatenate([pc.valid_from, mc.valid_from])
    recorded = _business_ts(rng, valid_from - rng.integers(2, 10, n_pc + n_mc), cutoff)
    out.add(
        "erp.standard_costs",
        standard_cost_id=np.arange(1, n_pc + n_mc + 1),
        item_type=["PRODUCT"] * n_pc + ["MATERIAL"] * n_mc,
        item_id=np.concatenate([pc.item, mc.item]),
        unit_cost=np.concatenate([pc.values["unit_cost"], mc.values["unit_cost"]]),
        material_cost=np.concatenate([pc.values["material_cost"], mc.values["unit_cost"]]),
        labor_cost=np.concatenate([pc.values["labor_cost"], np.zeros(n_mc)]),
        overhead_cost=np.concatenate([pc.values["overhead_cost"], np.zeros(n_mc)]),
        valid_from=valid_from,
        valid_to=np.concatenate([pc.valid_to, mc.valid_to]),
        updated_at=_closed_by_successor(items, recorded),
    )
    n_pr = len(pr.item)
    recorded = _business_ts(rng, pr.valid_from - rng.integers(5, 20, n_pr), cutoff)
    out.add(
        "erp.price_lists",
        price_list_id=np.arange(1, n_pr + 1),
        product_id=pr.item,
        currency=["USD"] * n_pr,
        unit_price=pr.values["unit_price"],
        valid_from=pr.valid_from,
        valid_to=pr.valid_to,
        updated_at=_closed_by_successor(pr.item, recorded),
    )


def _closed_by_successor(items: np.ndarray, recorded: np.ndarray) -> np.ndarray:
    """A version's last change is when the next version of the same item closed it."""
    has_next = np.append(items[1:] == items[:-1], False)
    return np.where(has_next, np.append(recorded[1:], 0), recorded)
