"""The plant: every entity that more than one database refers to, generated once per seed.

Factories, lines, machines, products (with bills of materials, standard costs and prices over
time), materials, customers, suppliers, warehouses, cost centres, departments, employees, sales
reps, application users, SCADA points, carriers, routes, GL accounts and accounting periods. Ids
are 1..n in every entity table, so the row of entity `i` is at index `i - 1` of its arrays.

Entity counts grow with the square root of the scale factor from the SF1 sizes below, with floors
that keep SF0.01 a small but complete plant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from genims_platform.simulator import names
from genims_platform.simulator.core import (
    DAY,
    HOUR,
    NULL_INT,
    OPEN_END_DAY,
    Horizon,
    Scale,
    day_to_date,
    month_start,
    stream,
)

# (entity, count at SF1, floor)
ENTITY_SIZES = {
    "factories": (4, 1),
    "lines": (16, 2),
    "products": (150, 12),
    "materials": (400, 25),
    "customers": (500, 25),
    "suppliers": (120, 12),
    "warehouses": (10, 3),
    "carriers": (10, 4),
}

# Expected shop-floor behaviour, shared by the production model and the planning estimates.
SHIFT_SECONDS = 8 * HOUR
BREAK_SECONDS = 30 * 60
EXPECTED_AVAILABILITY = 0.90
EXPECTED_PERFORMANCE = 0.76
EXPECTED_YIELD = 0.98
SHIFTS = [("A", "Early", 6), ("B", "Late", 14), ("C", "Night", 22)]

# department kind -> (cost centre type, staff title, manager title, hourly rate range, app role)
DEPARTMENT_KINDS = {
    "EXECUTIVE": ("ADMIN", "Business Analyst", "Chief Executive Officer", (60, 95), "EXECUTIVE"),
    "SALES": ("SALES", "Sales Representative", "Sales Director", (34, 58), "SALES"),
    "SERVICE": ("SERVICE", "Service Engineer", "Service Manager", (26, 44), "SERVICE"),
    "FINANCE": ("ADMIN", "Accountant", "Finance Director", (34, 60), "FINANCE"),
    "HR": ("ADMIN", "HR Specialist", "HR Director", (30, 50), "HR"),
    "IT": ("ADMIN", "Systems Engineer", "IT Director", (40, 70), "IT_ADMIN"),
    "PROCUREMENT": ("ADMIN", "Buyer", "Procurement Director", (32, 50), "PROCUREMENT"),
    "RESEARCH": ("RESEARCH", "Design Engineer", "Engineering Director", (45, 75), "ENGINEERING"),
    "LOGISTICS": ("LOGISTICS", "Warehouse Associate", "Warehouse Manager", (20, 28), "WAREHOUSE"),
    "MAINTENANCE": (
        "MAINTENANCE",
        "Maintenance Technician",
        "Maintenance Manager",
        (30, 42),
        "MAINTENANCE",
    ),
    "QUALITY": ("QUALITY", "Quality Inspector", "Quality Manager", (26, 36), "QUALITY"),
    "PRODUCTION": ("PRODUCTION", "Machine Operator", "Production Manager", (22, 32), "PRODUCTION"),
}
# corporate department kind -> staff at SF1 (grows with sqrt(scale)), floor
CORPORATE_STAFF = {
    "EXECUTIVE": (20, 2),
    "SALES": (50, 3),
    "SERVICE": (80, 3),
    "FINANCE": (40, 2),
    "HR": (25, 2),
    "IT": (30, 2),
    "PROCUREMENT": (30, 2),
    "RESEARCH": (40, 2),
}

# (measurement, unit, base range, noise, below base, above base, sample minutes)
MEASUREMENTS = [
    ("TEMPERATURE", "degC", (45.0, 75.0), 1.2, 25.0, 14.0, 180),
    ("VIBRATION", "mm/s", (2.0, 5.0), 0.25, 2.0, 3.5, 180),
    ("PRESSURE", "bar", (5.0, 8.0), 0.15, 2.0, 1.8, 240),
    ("MOTOR_CURRENT", "A", (10.0, 40.0), 0.8, 10.0, 12.0, 180),
]

# Raw-material and finished-goods inventory accounts (gl_accounts.is_inventory).
INVENTORY_ACCOUNTS = ("1200", "1210")

# (number, name, type, subtype, cash flow category, cost element)
GL_ACCOUNTS = [
    ("1000", "Cash - operating account", "ASSET", "CURRENT_ASSET", "CASH", None),
    ("1010", "Cash - payroll account", "ASSET", "CURRENT_ASSET", "CASH", None),
    ("1100", "Accounts receivable", "ASSET", "CURRENT_ASSET", "OPERATING", None),
    ("1150", "Input tax recoverable", "ASSET", "CURRENT_ASSET", "OPERATING", None),
    ("1200", "Raw materials inventory", "ASSET", "CURRENT_ASSET", "OPERATING", None),
    ("1210", "Finished goods inventory", "ASSET", "CURRENT_ASSET", "OPERATING", None),
    ("1300", "Prepaid expenses", "ASSET", "CURRENT_ASSET", "OPERATING", None),
    ("1500", "Plant and machinery", "ASSET", "FIXED_ASSET", "INVESTING", None),
    ("1510", "Buildings", "ASSET", "FIXED_ASSET", "INVESTING", None),
    ("1590", "Accumulated depreciation", "ASSET", "FIXED_ASSET", "INVESTING", None),
    ("2000", "Accounts payable", "LIABILITY", "CURRENT_LIABILITY", "OPERATING", None),
    ("2100", "Accrued payroll", "LIABILITY", "CURRENT_LIABILITY", "OPERATING", None),
    ("2200", "Income tax payable", "LIABILITY", "CURRENT_LIABILITY", "OPERATING", None),
    ("2300", "Accrued expenses", "LIABILITY", "CURRENT_LIABILITY", "OPERATING", None),
    ("2500", "Long-term bank loan", "LIABILITY", "LONG_TERM_LIABILITY", "FINANCING", None),
    ("3000", "Share capital", "EQUITY", "EQUITY", "FINANCING", None),
    ("3100", "Retained earnings", "EQUITY", "EQUITY", "FINANCING", None),
    ("4000", "Product revenue", "REVENUE", "REVENUE", "OPERATING", None),
    ("4900", "Sales returns and allowances", "REVENUE", "REVENUE", "OPERATING", None),
    ("4950", "Interest income", "REVENUE", "OTHER_INCOME", "OPERATING", None),
    ("5000", "Cost of goods sold - materials", "EXPENSE", "COGS", "OPERATING", "MATERIAL"),
    ("5010", "Cost of goods sold - labour", "EXPENSE", "COGS", "OPERATING", "LABOR"),
    ("5020", "Cost of goods sold - overhead", "EXPENSE", "COGS", "OPERATING", "OVERHEAD"),
    ("5100", "Direct labour", "EXPENSE", "COGS", "OPERATING", "LABOR"),
    ("5110", "Labour absorbed into inventory", "EXPENSE", "COGS", "OPERATING", "LABOR"),
    ("5120", "Overhead absorbed into inventory", "EXPENSE", "COGS", "OPERATING", "OVERHEAD"),
    ("5200", "Material usage variance", "EXPENSE", "COGS", "OPERATING", "MATERIAL"),
    ("5210", "Purchase price variance", "EXPENSE", "COGS", "OPERATING", "MATERIAL"),
    ("5220", "Inventory adjustments and scrap", "EXPENSE", "COGS", "OPERATING", "MATERIAL"),
    ("6000", "Salaries and indirect labour", "EXPENSE", "OPEX", "OPERATING", "LABOR"),
    ("6100", "Utilities", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
    ("6110", "Rent and insurance", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
    ("6200", "Maintenance materials", "EXPENSE", "OPEX", "OPERATING", "MATERIAL"),
    ("6210", "Packaging materials", "EXPENSE", "OPEX", "OPERATING", "MATERIAL"),
    ("6300", "Freight out", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
    ("6400", "Depreciation", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
    ("6500", "Warranty and customer compensation", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
    ("6600", "Professional fees", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
    ("7000", "Interest expense", "EXPENSE", "INTEREST", "FINANCING", "OVERHEAD"),
    ("8000", "Income tax expense", "EXPENSE", "TAX", "OPERATING", "OVERHEAD"),
]

MODULE_SETTINGS = {
    "master": [
        ("password.max_failed_logins", "5", "Failed logins before an account locks"),
        ("mfa.required_roles", "FINANCE,IT_ADMIN,EXECUTIVE", "Roles that must use MFA"),
    ],
    "operations": [
        ("scada.sample_seconds", "3600", "Default sensor sampling period"),
        ("oee.target", "0.75", "Plant OEE target"),
    ],
    "manufacturing": [
        ("wo.auto_release_days", "2", "Days before start a work order is released"),
        ("scrap.alert_pct", "5", "Material scrap share that raises an alert"),
    ],
    "maintenance": [
        ("pm.default_interval_days", "28", "Preventive maintenance interval"),
        ("mwo.auto_create_severity", "MEDIUM", "Fault severity that opens an MWO"),
    ],
    "quality": [
        ("aql.level", "1.0", "Acceptable quality level (%)"),
        ("hold.auto_release_days", "14", "Days after which holds are reviewed"),
    ],
    "erp": [
        ("po.approval_threshold", "50000", "PO amount that needs approval (USD)"),
        ("so.max_discount_pct", "15", "Largest discount without approval"),
    ],
    "financial": [
        ("period.close_day", "5", "Working day on which a month is closed"),
        ("tax.rate", "0.25", "Income tax rate"),
    ],
    "wms": [
        ("cycle_count.tolerance_pct", "2", "Count variance accepted without recount"),
        ("putaway.max_hours", "4", "Target hours from receipt to putaway"),
    ],
    "tms": [
        ("delivery.on_time_target_pct", "90", "On-time delivery target"),
        ("freight.cost_per_kg", "0.35", "Default freight rate"),
    ],
    "crm": [
        ("gdpr.response_days", "30", "Days to answer a data subject request"),
        ("lead.stale_days", "45", "Days after which an untouched lead is stale"),
    ],
    "service": [
        ("sla.p1.response_minutes", "30", "P1 response target"),
        ("sla.p1.resolution_minutes", "240", "P1 resolution target"),
    ],
    "hr": [
        ("overtime.approval_hours", "4", "Overtime hours that need approval"),
        ("timesheet.lock_days", "3", "Days after which timesheets are approved"),
    ],
    "supplier": [
        ("portal.session_minutes", "60", "Portal session timeout"),
        ("certification.warn_days", "60", "Days before expiry to warn"),
    ],
}

# SLA targets by ticket priority: (response minutes, resolution minutes, share)
TICKET_PRIORITIES = {
    "P1": (30, 240, 0.05),
    "P2": (60, 480, 0.20),
    "P3": (240, 1440, 0.50),
    "P4": (480, 4320, 0.25),
}


@dataclass
class Versions:
    """Effective-dated values of items (standard costs, prices); valid_to is exclusive."""

    item: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray
    values: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        self._keys = self.item * 1_000_000 + self.valid_from

    def at(self, items: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Index of the version valid on `days` for `items` (arrays of equal length)."""
        keys = np.asarray(items, dtype=np.int64) * 1_000_000 + np.asarray(days, dtype=np.int64)
        return np.searchsorted(self._keys, keys, side="right") - 1

    def value(self, name: str, items: np.ndarray, days: np.ndarray) -> np.ndarray:
        return self.values[name][self.at(items, days)]

    def current(self, name: str, n_items: int) -> np.ndarray:
        """Value of the latest version of items 1..n."""
        last = np.searchsorted(self.item, np.arange(1, n_items + 1), side="right") - 1
        return self.values[name][last]


@dataclass
class Plant:
    seed: int
    scale: Scale
    horizon: Horizon
    factories: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    machines: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    materials: dict = field(default_factory=dict)
    customers: dict = field(default_factory=dict)
    suppliers: dict = field(default_factory=dict)
    warehouses: dict = field(default_factory=dict)
    cost_centers: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    employees: dict = field(default_factory=dict)
    sales_reps: dict = field(default_factory=dict)
    app_users: dict = field(default_factory=dict)
    shifts: dict = field(default_factory=dict)
    scada_points: dict = field(default_factory=dict)
    carriers: dict = field(default_factory=dict)
    routes: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)
    periods: dict = field(default_factory=dict)
    bom: dict = field(default_factory=dict)
    material_suppliers: dict = field(default_factory=dict)
    product_costs: Versions | None = None
    material_costs: Versions | None = None
    prices: Versions | None = None

    def rng(self, table: str) -> np.random.Generator:
        return stream(self.seed, "plant", table)

    def count(self, entity: str) -> int:
        base, floor = ENTITY_SIZES[entity]
        return self.scale.entities(base, floor)

    def account(self, number: str) -> int:
        return self.accounts["by_number"][number]

    def period_of(self, days: np.ndarray) -> np.ndarray:
        """accounting period id of each day."""
        return np.searchsorted(self.periods["start_day"], days, side="right").astype(np.int64)

    def employees_of(self, kind: str, factory_id: int | None = None) -> np.ndarray:
        """Ids of non-terminated staff of a department kind (optionally in one factory)."""
        e = self.employees
        mask = (e["kind"] == kind) & (e["term_day"] == NULL_INT)
        if factory_id is not None:
            mask &= e["factory_id"] == factory_id
        ids = e["employee_id"][mask]
        if len(ids) == 0:  # small plants: fall back to the department kind anywhere
            ids = e["employee_id"][(e["kind"] == kind) & (e["term_day"] == NULL_INT)]
        return ids

    def manager_of(self, kind: str, factory_id: int | None = None) -> int:
        e = self.employees
        mask = (e["kind"] == kind) & e["is_head"]
        if factory_id is not None and np.any(mask & (e["factory_id"] == factory_id)):
            mask &= e["factory_id"] == factory_id
        return int(e["employee_id"][mask][0])


def build_plant(seed: int, scale: Scale, horizon: Horizon) -> Plant:
    """Generate the shared entities of one plant."""
    plant = Plant(seed=seed, scale=scale, horizon=horizon)
    _factories_lines_machines(plant)
    _materials(plant)
    _suppliers(plant)
    _products(plant)
    _warehouses_cost_centers(plant)
    _workforce(plant)
    _customers(plant)
    _scada_points(plant)
    _logistics(plant)
    _finance(plant)
    return plant


def _factories_lines_machines(plant: Plant) -> None:
    rng = plant.rng("factories")
    n_f = plant.count("factories")
    sites = [names.FACTORY_SITES[i % len(names.FACTORY_SITES)] for i in range(n_f)]
    plant.factories = {
        "factory_id": np.arange(1, n_f + 1),
        "code": [f"F{i:02d}" for i in range(1, n_f + 1)],
        "name": [f"GenIMS {s[2]} Plant" for s in sites],
        "country": [s[0] for s in sites],
        "region": [s[1] for s in sites],
        "city": [s[2] for s in sites],
        "timezone": [s[3] for s in sites],
        "opened_day": plant.horizon.first_day - rng.integers(2000, 9000, n_f),
    }
    n_l = max(plant.count("lines"), n_f)
    line_factory = (np.arange(n_l) % n_f) + 1
    line_factory.sort()
    per_factory = np.bincount(line_factory, minlength=n_f + 1)
    line_no = np.concatenate([np.arange(1, k + 1) for k in per_factory[1:] if k])
    rng = plant.rng("production_lines")
    types = [names.LINE_TYPES[i] for i in rng.integers(0, len(names.LINE_TYPES), n_l)]
    takt = np.round(rng.uniform(40, 180, n_l), 1)
    days_per_week = rng.choice([5, 6, 7], n_l, p=[0.25, 0.35, 0.40])
    n_machines = rng.integers(3, 6, n_l)
    plant.lines = {
        "line_id": np.arange(1, n_l + 1),
        "factory_id": line_factory,
        "code": [f"F{f:02d}-L{k:02d}" for f, k in zip(line_factory, line_no, strict=True)],
        "name": [f"{t.title()} line {k}" for t, k in zip(types, line_no, strict=True)],
        "type": types,
        "takt_s": takt,
        "design_capacity": np.round(3600.0 / takt * 1.1, 2),
        "days_per_week": days_per_week,
        "n_machines": n_machines,
    }
    rng = plant.rng("machines")
    m_line = np.repeat(np.arange(1, n_l + 1), n_machines)
    n_m = len(m_line)
    seq = np.concatenate([np.arange(1, k + 1) for k in n_machines])
    is_last = np.concatenate([np.arange(1, k + 1) == k for k in n_machines])
    factor = np.where(is_last, 1.0, rng.uniform(0.7, 0.97, n_m))
    ict = np.round(takt[m_line - 1] * factor, 3)
    mtypes = []
    for line, s in zip(m_line, seq, strict=True):
        options = names.MACHINE_TYPES[types[line - 1]]
        mtypes.append(options[(s - 1) % len(options)])
    criticality = rng.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"], n_m, p=[0.2, 0.45, 0.25, 0.1])
    plant.machines = {
        "machine_id": np.arange(1, n_m + 1),
        "line_id": m_line,
        "factory_id": line_factory[m_line - 1],
        "code": [
            f"{plant.lines['code'][li - 1]}-M{s:02d}" for li, s in zip(m_line, seq, strict=True)
        ],
        "name": [f"{t} {s}" for t, s in zip(mtypes, seq, strict=True)],
        "type": mtypes,
        "manufacturer": [names.MANUFACTURERS[i] for i in rng.integers(0, 12, n_m)],
        "ict": ict,
        "seq": seq,
        "is_last": is_last,
        "install_day": plant.horizon.first_day - rng.integers(200, 5000, n_m),
        "criticality": criticality,
        # faults per running shift; old or critical machines break more often
        "fault_rate": rng.gamma(4.0, 0.1, n_m),
        "reject_rate": rng.uniform(0.004, 0.03, n_m),
        "pm_interval": rng.integers(14, 43, n_m),
        "pm_offset": rng.integers(0, 1000, n_m),
    }


def _materials(plant: Plant) -> None:
    rng = plant.rng("materials")
    n = plant.count("materials")
    shares = np.array([k[1] for k in names.MATERIAL_KINDS])
    counts = np.maximum(np.floor(shares * n).astype(int), [4, 4, 2, 3, 1])
    counts[1] += n - counts.sum()
    mtype, uom, cost = [], [], []
    for (kind, _, uoms, (lo, hi)), k in zip(names.MATERIAL_KINDS, counts, strict=True):
        mtype += [kind] * k
        uom += [uoms[i] for i in rng.integers(0, len(uoms), k)]
        cost += list(np.exp(rng.uniform(math.log(lo), math.log(hi), k)))
    n = len(mtype)
    words = []
    seen: dict[str, int] = {}
    for kind in mtype:
        base = names.MATERIAL_WORDS[kind][int(rng.integers(0, len(names.MATERIAL_WORDS[kind])))]
        seen[base] = seen.get(base, 0) + 1
        words.append(f"{base} {chr(64 + (seen[base] - 1) % 26 + 1)}{(seen[base] - 1) // 26 + 1}")
    mtype_arr = np.array(mtype)
    lead = np.where(mtype_arr == "SPARE_PART", rng.integers(10, 45, n), rng.integers(3, 25, n))
    shelf = np.where(
        np.isin(mtype_arr, ["CONSUMABLE", "RAW_MATERIAL"]) & (rng.random(n) < 0.5),
        rng.integers(180, 1095, n),
        NULL_INT,
    )
    plant.materials = {
        "material_id": np.arange(1, n + 1),
        "code": [f"M{i:05d}" for i in range(1, n + 1)],
        "name": words,
        "type": mtype_arr,
        "uom": np.array(uom),
        "lead_time": lead,
        "shelf_life": shelf,
        "base_cost": np.round(np.array(cost), 4),
    }
    plant.material_costs = _cost_versions(
        plant, plant.rng("material_costs"), np.round(np.array(cost), 4), {}
    )


def _quarter_starts(horizon: Horizon) -> np.ndarray:
    first = day_to_date(horizon.first_day)
    key = first.year * 12 + (first.month - 1) // 3 * 3 + 3
    out = []
    while month_start(key) <= horizon.last_day:
        out.append(month_start(key))
        key += 3
    return np.array(out, dtype=np.int64)


def _cost_versions(plant: Plant, rng: np.random.Generator, base: np.ndarray, extra) -> Versions:
    """A few effective-dated revisions per item: the first starts before the history, later ones
    at quarter starts inside it."""
    n = len(base)
    quarters = _quarter_starts(plant.horizon)
    items, starts, values = [], [], []
    first = plant.horizon.first_day - rng.integers(20, 300, n)
    for i in range(n):
        items.append(i + 1)
        starts.append(first[i])
        value = base[i]
        values.append(value)
        for q in quarters:
            if rng.random() < 0.3:
                value = max(0.05, value * (1 + rng.normal(0.015, 0.035)))
                items.append(i + 1)
                starts.append(q)
                values.append(value)
    items_a = np.array(items, dtype=np.int64)
    starts_a = np.array(starts, dtype=np.int64)
    ends = np.append(starts_a[1:], OPEN_END_DAY)
    ends = np.where(np.append(items_a[1:] != items_a[:-1], True), OPEN_END_DAY, ends)
    return Versions(items_a, starts_a, ends, {"unit_cost": np.round(np.array(values), 4)})


def _suppliers(plant: Plant) -> None:
    rng = plant.rng("suppliers")
    n = plant.count("suppliers")
    categories = ["RAW_MATERIALS", "COMPONENTS", "PACKAGING", "MRO"]
    weights = np.array([0.35, 0.35, 0.1, 0.2])
    cat = [categories[i % 4] for i in range(4)] + list(rng.choice(categories, n - 4, p=weights))
    loc = [names.MARKETS[i] for i in rng.integers(0, len(names.MARKETS), n)]
    used: set[str] = set()
    sup_names = []
    for i in range(n):
        name = f"{names.COMPANY_PREFIX[(i * 7 + 3) % 28]} {names.COMPANY_SUFFIX[(i * 5 + 1) % 14]}"
        if name in used:
            name = f"{name} {loc[i][2]}"
        if name in used:
            name = f"{name} {i}"
        used.add(name)
        sup_names.append(name)
    created = plant.horizon.first_day - rng.integers(100, 4000, n)
    new = rng.random(n) < 0.05
    created = np.where(
        new, rng.integers(plant.horizon.first_day, plant.horizon.last_day + 1, n), created
    )
    plant.suppliers = {
        "supplier_id": np.arange(1, n + 1),
        "code": [f"S{i:04d}" for i in range(1, n + 1)],
        "name": sup_names,
        "category": np.array(cat),
        "country": [x[0] for x in loc],
        "region": [x[1] for x in loc],
        "city": [x[2] for x in loc],
        "terms": rng.choice([30, 45, 60, 90], n, p=[0.3, 0.35, 0.25, 0.1]),
        "created_day": np.where(new, plant.horizon.first_day - 1, created),
        "on_time_p": rng.beta(12, 1.6, n),
        "reject_p": rng.beta(1.2, 40, n),
        "price_factor": rng.uniform(0.95, 1.08, n),
        "response_days": rng.gamma(2.0, 1.5, n),
        "tax_rate": np.array([0.0 if x[0] == "US" else 0.19 for x in loc]),
    }
    # every material is bought from 1-3 suppliers of its category (first = preferred)
    mat = plant.materials
    by_cat = {c: np.flatnonzero(np.array(cat) == c) + 1 for c in categories}
    suppliers_of = []
    for kind in mat["type"]:
        pool = by_cat[names.SUPPLIER_CATEGORY[kind]]
        k = min(len(pool), int(rng.integers(1, 4)))
        suppliers_of.append(rng.choice(pool, k, replace=False))
    plant.material_suppliers = {"suppliers": suppliers_of}


def _products(plant: Plant) -> None:
    rng = plant.rng("products")
    n = plant.count("products")
    lines = plant.lines
    n_l = len(lines["line_id"])
    line_of = np.concatenate([np.arange(1, n_l + 1), rng.integers(1, n_l + 1, n - n_l)])
    rng.shuffle(line_of)
    cats = list(names.PRODUCT_CATEGORIES)
    cat = [cats[i] for i in rng.integers(0, len(cats), n)]
    fam = [names.PRODUCT_CATEGORIES[c][int(rng.integers(0, 3))] for c in cat]
    pname = [
        f"{f[:-1] if f.endswith('s') else f} {names.PRODUCT_NOUNS[int(rng.integers(0, 6))]} "
        f"{100 + i}"
        for i, f in enumerate(fam)
    ]
    # share of its line's time each product gets
    share = np.zeros(n)
    for line in range(1, n_l + 1):
        idx = np.flatnonzero(line_of == line)
        share[idx] = rng.dirichlet(np.full(len(idx), 1.5))
    line_idx = line_of - 1
    takt = lines["takt_s"][line_idx]
    good_per_shift = (
        (SHIFT_SECONDS - BREAK_SECONDS)
        * EXPECTED_AVAILABILITY
        * EXPECTED_PERFORMANCE
        * EXPECTED_YIELD
        / takt
    )
    shifts_per_day = 3 * lines["days_per_week"][line_idx] / 7.0
    units_per_day = good_per_shift * shifts_per_day * share

    # bills of materials: every production material is used by at least one product
    mat = plant.materials
    bom_pool = np.flatnonzero(np.isin(mat["type"], ["RAW_MATERIAL", "COMPONENT", "CONSUMABLE"])) + 1
    obsolete = set()
    if len(bom_pool) > 40:  # a few materials nobody uses any more: slow movers
        obsolete = set(rng.choice(bom_pool, max(1, len(bom_pool) // 30), replace=False).tolist())
    pool = np.array([m for m in bom_pool if m not in obsolete])
    order = rng.permutation(pool)
    bom_mats: list[list[int]] = [[] for _ in range(n)]
    for k, m in enumerate(order):
        bom_mats[k % n].append(int(m))
    bom_m, bom_p, bom_q = [], [], []
    for p in range(n):
        want = int(rng.integers(2, 6))
        while len(bom_mats[p]) < want:
            m = int(rng.choice(pool))
            if m not in bom_mats[p]:
                bom_mats[p].append(m)
        for m in bom_mats[p]:
            u = mat["uom"][m - 1]
            if mat["type"][m - 1] == "CONSUMABLE":
                q = rng.uniform(0.005, 0.05)
            elif u == "EA":
                q = float(rng.integers(1, 5))
            elif u == "KG":
                q = rng.uniform(0.05, 2.5)
            elif u == "M":
                q = rng.uniform(0.2, 4.0)
            else:
                q = rng.uniform(0.05, 0.8)
            bom_p.append(p + 1)
            bom_m.append(m)
            bom_q.append(round(q, 3))
    plant.bom = {
        "product_id": np.array(bom_p),
        "material_id": np.array(bom_m),
        "qty": np.array(bom_q),
    }
    # labour and overhead per unit follow the line's crew and speed
    crew_cost_per_hour = lines["n_machines"][line_idx] * 28.0 + 38.0
    units_per_hour = 3600.0 / takt * EXPECTED_AVAILABILITY * EXPECTED_PERFORMANCE
    labor = crew_cost_per_hour / units_per_hour
    overhead = labor * rng.uniform(1.2, 1.9, n)
    factory = lines["factory_id"][line_idx]
    plant.products = {
        "product_id": np.arange(1, n + 1),
        "sku": [f"SKU-{1000 + i}" for i in range(1, n + 1)],
        "name": pname,
        "category": cat,
        "family": fam,
        "line_id": line_of,
        "factory_id": factory,
        "share": share,
        "units_per_day": units_per_day,
        "labor": labor,
        "overhead": overhead,
        "launch_day": plant.horizon.first_day - rng.integers(90, 3000, n),
        "lifecycle": rng.choice(["ACTIVE", "MATURE", "PHASE_OUT"], n, p=[0.6, 0.32, 0.08]),
        "markup": rng.uniform(1.6, 2.3, n),
        "weight_kg": np.round(rng.uniform(0.2, 8.0, n), 2),
        # every unit ships in a carton of one packaging material
        "packaging": mat["material_id"][mat["type"] == "PACKAGING"][
            np.arange(n) % int(np.sum(mat["type"] == "PACKAGING"))
        ],
    }
    _product_costs_and_prices(plant, rng)


def _product_costs_and_prices(plant: Plant, rng: np.random.Generator) -> None:
    prod = plant.products
    n = len(prod["product_id"])
    quarters = _quarter_starts(plant.horizon)
    bom = plant.bom
    mcost = plant.material_costs

    def material_cost(p: int, day: int) -> float:
        sel = bom["product_id"] == p
        mats = bom["material_id"][sel]
        unit = mcost.value("unit_cost", mats, np.full(len(mats), day))
        return float(np.sum(unit * bom["qty"][sel]))

    items, starts, mat_c, lab_c, ovh_c = [], [], [], [], []
    first = plant.horizon.first_day - rng.integers(20, 300, n)
    for i in range(n):
        p = i + 1
        days = [int(first[i])] + [int(q) for q in quarters if rng.random() < 0.35]
        drift = 1.0
        for d in days:
            items.append(p)
            starts.append(d)
            mat_c.append(round(material_cost(p, d), 4))
            lab_c.append(round(prod["labor"][i] * drift, 4))
            ovh_c.append(round(prod["overhead"][i] * drift, 4))
            drift *= 1 + rng.normal(0.01, 0.02)
    items_a = np.array(items, dtype=np.int64)
    starts_a = np.array(starts, dtype=np.int64)
    ends = np.where(
        np.append(items_a[1:] != items_a[:-1], True),
        OPEN_END_DAY,
        np.append(starts_a[1:], OPEN_END_DAY),
    )
    mat_a, lab_a, ovh_a = np.array(mat_c), np.array(lab_c), np.array(ovh_c)
    plant.product_costs = Versions(
        items_a,
        starts_a,
        ends,
        {
            "material_cost": mat_a,
            "labor_cost": lab_a,
            "overhead_cost": ovh_a,
            "unit_cost": np.round(mat_a + lab_a + ovh_a, 4),
        },
    )
    # price lists: an annual increase on 1 January and the odd mid-year change
    p_items, p_starts, p_values = [], [], []
    first = plant.horizon.first_day - rng.integers(30, 400, n)
    for i in range(n):
        p = i + 1
        cost0 = plant.product_costs.value("unit_cost", np.array([p]), np.array([first[i]]))[0]
        price = round(cost0 * prod["markup"][i], 2)
        p_items.append(p)
        p_starts.append(int(first[i]))
        p_values.append(price)
        for q in quarters:
            is_january = day_to_date(int(q)).month == 1
            if (is_january and rng.random() < 0.85) or (not is_january and rng.random() < 0.12):
                price = round(price * (1 + rng.uniform(0.015, 0.06)), 2)
                p_items.append(p)
                p_starts.append(int(q))
                p_values.append(price)
    pi = np.array(p_items, dtype=np.int64)
    ps = np.array(p_starts, dtype=np.int64)
    pe = np.where(np.append(pi[1:] != pi[:-1], True), OPEN_END_DAY, np.append(ps[1:], OPEN_END_DAY))
    plant.prices = Versions(pi, ps, pe, {"unit_price": np.array(p_values)})


def _warehouses_cost_centers(plant: Plant) -> None:
    rng = plant.rng("warehouses")
    n_f = len(plant.factories["factory_id"])
    n_w = max(plant.count("warehouses"), n_f + 1)
    n_dc = max(1, round(n_w * 0.2))
    n_fw = n_w - n_dc
    wh_factory = [(i % n_f) + 1 for i in range(n_fw)]
    wh_type = ["RAW_MATERIALS" if i < n_f else "MRO_STORES" for i in range(n_fw)]
    dc_regions = ["North America", "Europe", "Asia Pacific", "South America", "Africa"]
    dc_sites = []
    for k in range(n_dc):
        region = dc_regions[k % len(dc_regions)]
        options = [m for m in names.MARKETS if m[1] == region]
        dc_sites.append(options[(k // len(dc_regions)) % len(options)])
    fac = plant.factories
    country = [fac["country"][f - 1] for f in wh_factory] + [s[0] for s in dc_sites]
    city = [fac["city"][f - 1] for f in wh_factory] + [s[2] for s in dc_sites]
    region = [fac["region"][f - 1] for f in wh_factory] + [s[1] for s in dc_sites]
    names_w = [
        f"{fac['city'][f - 1]} {'raw materials store' if t == 'RAW_MATERIALS' else 'MRO store'}"
        for f, t in zip(wh_factory, wh_type, strict=True)
    ] + [f"{s[2]} distribution centre" for s in dc_sites]
    plant.warehouses = {
        "warehouse_id": np.arange(1, n_w + 1),
        "factory_id": np.array(wh_factory + [NULL_INT] * n_dc, dtype=np.int64),
        "code": [f"WH{i:02d}" for i in range(1, n_w + 1)],
        "name": names_w,
        "type": np.array(wh_type + ["DISTRIBUTION"] * n_dc),
        "country": country,
        "city": city,
        "region": region,
        "docks": rng.integers(2, 9, n_w),
    }
    # cost centres: one per line, three service centres per factory, corporate functions
    cc_code, cc_name, cc_type, cc_factory, cc_kind, cc_line = [], [], [], [], [], []
    lines = plant.lines
    for f in range(1, n_f + 1):
        fcode = fac["code"][f - 1]
        for li in np.flatnonzero(lines["factory_id"] == f):
            cc_code.append(f"CC-{lines['code'][li]}")
            cc_name.append(f"{fac['city'][f - 1]} {lines['name'][li]}")
            cc_type.append("PRODUCTION")
            cc_factory.append(f)
            cc_kind.append("PRODUCTION")
            cc_line.append(li + 1)
        for kind in ("MAINTENANCE", "QUALITY", "LOGISTICS"):
            cc_code.append(f"CC-{fcode}-{kind[:5]}")
            cc_name.append(f"{fac['city'][f - 1]} {kind.lower()}")
            cc_type.append(DEPARTMENT_KINDS[kind][0])
            cc_factory.append(f)
            cc_kind.append(kind)
            cc_line.append(NULL_INT)
    for kind in CORPORATE_STAFF:
        cc_code.append(f"CC-HQ-{kind[:5]}")
        cc_name.append(f"Corporate {kind.lower()}")
        cc_type.append(DEPARTMENT_KINDS[kind][0])
        cc_factory.append(NULL_INT)
        cc_kind.append(kind)
        cc_line.append(NULL_INT)
    for w in np.flatnonzero(plant.warehouses["type"] == "DISTRIBUTION"):
        cc_code.append(f"CC-{plant.warehouses['code'][w]}-LOGIS")
        cc_name.append(plant.warehouses["name"][w])
        cc_type.append("LOGISTICS")
        cc_factory.append(NULL_INT)
        cc_kind.append("LOGISTICS")
        cc_line.append(NULL_INT)
    n_cc = len(cc_code)
    plant.cost_centers = {
        "cost_center_id": np.arange(1, n_cc + 1),
        "code": cc_code,
        "name": cc_name,
        "type": cc_type,
        "factory_id": np.array(cc_factory, dtype=np.int64),
        "kind": np.array(cc_kind),
        "line_id": np.array(cc_line, dtype=np.int64),
    }
    lines["cost_center_id"] = np.array(
        [int(np.flatnonzero(plant.cost_centers["line_id"] == li)[0]) + 1 for li in lines["line_id"]]
    )


def _workforce(plant: Plant) -> None:
    """Departments (one per cost centre under an executive root), employees, shifts, reps and
    application users."""
    rng = plant.rng("employees")
    cc = plant.cost_centers
    n_cc = len(cc["cost_center_id"])
    horizon = plant.horizon
    root_cc = int(np.flatnonzero(cc["kind"] == "EXECUTIVE")[0]) + 1
    dep_ids = np.arange(1, n_cc + 1)
    plant.departments = {
        "department_id": dep_ids,
        "code": [c.replace("CC-", "D-") for c in cc["code"]],
        "name": [n.title() for n in cc["name"]],
        "factory_id": cc["factory_id"],
        "parent": np.where(dep_ids == root_cc, NULL_INT, root_cc),
        "cost_center_id": cc["cost_center_id"],
        "kind": cc["kind"],
    }
    n_f = len(plant.factories["factory_id"])
    plant.shifts = {
        "shift_id": np.arange(1, 3 * n_f + 1),
        "code": [s[0] for _ in range(n_f) for s in SHIFTS],
        "name": [s[1] for _ in range(n_f) for s in SHIFTS],
        "factory_id": np.repeat(np.arange(1, n_f + 1), 3),
        "start_hour": np.array([s[2] for _ in range(n_f) for s in SHIFTS]),
    }
    lines, machines = plant.lines, plant.machines
    sqrt_s = math.sqrt(plant.scale.factor)
    dept, kind, title, line_id, shift_no, is_head = [], [], [], [], [], []
    for d in range(n_cc):
        k = cc["kind"][d]
        f = cc["factory_id"][d]
        did = d + 1
        if k == "PRODUCTION":
            li = cc["line_id"][d]
            crew = math.ceil(1.4 * lines["n_machines"][li - 1])
            staff = [("Production Manager", NULL_INT, True)]
            for s in range(3):
                staff.append(("Shift Supervisor", s, False))
                staff += [("Machine Operator", s, False)] * crew
        elif k in ("MAINTENANCE", "QUALITY", "LOGISTICS") and f != NULL_INT:
            m_f = int(np.sum(machines["factory_id"] == f))
            per = {"MAINTENANCE": 1.0, "QUALITY": 0.6, "LOGISTICS": 0.8}[k]
            staff = [(DEPARTMENT_KINDS[k][2], NULL_INT, True)]
            staff += [(DEPARTMENT_KINDS[k][1], NULL_INT, False)] * max(2, round(m_f * per))
        elif k == "LOGISTICS":
            staff = [(DEPARTMENT_KINDS[k][2], NULL_INT, True)]
            staff += [(DEPARTMENT_KINDS[k][1], NULL_INT, False)] * max(2, round(12 * sqrt_s))
        else:
            base, floor = CORPORATE_STAFF[k]
            staff = [(DEPARTMENT_KINDS[k][2], NULL_INT, True)]
            staff += [(DEPARTMENT_KINDS[k][1], NULL_INT, False)] * max(floor, round(base * sqrt_s))
        for t, s, head in staff:
            dept.append(did)
            kind.append(k)
            title.append(t)
            line_id.append(cc["line_id"][d] if k == "PRODUCTION" else NULL_INT)
            shift_no.append(s)
            is_head.append(head)
    n = len(dept)
    dept_a = np.array(dept)
    kind_a = np.array(kind)
    is_head_a = np.array(is_head)
    title_a = np.array(title, dtype=object)
    # a few sales reps are key account managers; service has field engineers
    sales_staff = np.flatnonzero((kind_a == "SALES") & ~is_head_a)
    title_a[sales_staff[: max(1, len(sales_staff) // 5)]] = "Key Account Manager"
    service_staff = np.flatnonzero((kind_a == "SERVICE") & ~is_head_a)
    title_a[service_staff[: max(1, len(service_staff) // 3)]] = "Field Service Engineer"
    first = [names.FIRST_NAMES[i] for i in rng.integers(0, len(names.FIRST_NAMES), n)]
    last = [names.LAST_NAMES[i] for i in rng.integers(0, len(names.LAST_NAMES), n)]
    lo = np.array([DEPARTMENT_KINDS[k][3][0] for k in kind])
    hi = np.array([DEPARTMENT_KINDS[k][3][1] for k in kind])
    rate = rng.uniform(lo, hi) * np.where(is_head_a, 1.45, 1.0)
    rate = np.where(title_a == "Shift Supervisor", rate * 1.3, rate)
    emp_type = rng.choice(["FULL_TIME", "PART_TIME", "CONTRACTOR"], n, p=[0.88, 0.07, 0.05])
    emp_type = np.where(is_head_a, "FULL_TIME", emp_type)
    hire = horizon.first_day - rng.integers(30, 5000, n)
    hired_during = (rng.random(n) < 0.06) & ~is_head_a
    hire = np.where(hired_during, rng.integers(horizon.first_day, horizon.last_day + 1, n), hire)
    term = np.full(n, NULL_INT, dtype=np.int64)
    leaving = (rng.random(n) < 0.04) & ~is_head_a & (title_a != "Shift Supervisor")
    term_candidate = rng.integers(horizon.first_day, horizon.last_day + 1, n)
    term_candidate = np.maximum(term_candidate, hire + 30)
    leaving &= term_candidate < horizon.cutoff_day
    term = np.where(leaving, term_candidate, term)
    on_leave = (rng.random(n) < 0.015) & ~leaving & ~is_head_a
    leave_start = np.where(on_leave, horizon.cutoff_day - rng.integers(3, 20, n), NULL_INT)
    dep_factory = plant.departments["factory_id"][dept_a - 1]
    emp_ids = np.arange(1, n + 1)
    heads = {int(d): int(e) for d, e in zip(dept_a[is_head_a], emp_ids[is_head_a], strict=True)}
    root_head = heads[root_cc]
    manager = np.array(
        [heads[int(d)] if not h else root_head for d, h in zip(dept_a, is_head_a, strict=True)]
    )
    manager[root_head - 1] = NULL_INT
    part_hours = np.where(emp_type == "PART_TIME", rng.choice([4.0, 5.0, 6.0], n), 8.0)
    email = [
        f"{a.lower()}.{b.lower()}{i}@genims.example"
        for i, a, b in zip(emp_ids, first, last, strict=True)
    ]
    plant.employees = {
        "employee_id": emp_ids,
        "number": [f"E{i:05d}" for i in emp_ids],
        "first": first,
        "last": last,
        "email": email,
        "title": title_a,
        "department_id": dept_a,
        "factory_id": dep_factory,
        "manager": manager,
        "type": emp_type,
        "hire_day": hire,
        "term_day": term,
        "leave_start": leave_start,
        "rate": np.round(rate, 2),
        "kind": kind_a,
        "is_head": is_head_a,
        "line_id": np.array(line_id, dtype=np.int64),
        "shift_no": np.array(shift_no, dtype=np.int64),
        "roster": rng.integers(0, 7, n),
        "hours": part_hours,
        "profile_change_day": np.where(
            rng.random(n) < 0.2,
            rng.integers(horizon.first_day, horizon.cutoff_day + 1, n),
            NULL_INT,
        ),
    }
    # sales reps: every sales employee but the director
    rep_emp = emp_ids[(kind_a == "SALES") & ~is_head_a]
    regions = ["North America", "Europe", "Asia Pacific", "South America", "Africa"]
    n_r = len(rep_emp)
    rep_titles = title_a[rep_emp - 1]
    plant.sales_reps = {
        "sales_rep_id": np.arange(1, n_r + 1),
        "employee_id": rep_emp,
        "name": [f"{first[e - 1]} {last[e - 1]}" for e in rep_emp],
        "region": np.array([regions[i % 3] if i < 6 else regions[i % 5] for i in range(n_r)]),
        "team": np.where(
            rep_titles == "Key Account Manager",
            "KEY_ACCOUNTS",
            np.where(np.arange(n_r) % 3 == 0, "INSIDE_SALES", "FIELD_SALES"),
        ),
        "commission": np.round(rng.uniform(0.02, 0.06, n_r), 4),
        "active": term[rep_emp - 1] == NULL_INT,
    }
    # application users: everyone but machine operators, plus service accounts
    users = emp_ids[title_a != "Machine Operator"]
    roles = [DEPARTMENT_KINDS[k][4] for k in kind_a[users - 1]]
    uname = [f"{first[e - 1].lower()}.{last[e - 1].lower()}{e}" for e in users]
    service_accounts = [
        "svc_erp_integration",
        "svc_mes_gateway",
        "svc_scada_collector",
        "svc_reporting",
        "svc_supplier_portal",
    ]
    n_u = len(users) + len(service_accounts)
    plant.app_users = {
        "user_id": np.arange(1, n_u + 1),
        "username": uname + service_accounts,
        "email": [email[e - 1] for e in users] + [f"{s}@genims.example" for s in service_accounts],
        "employee_id": np.concatenate([users, np.full(len(service_accounts), NULL_INT)]),
        "role": roles + ["SERVICE"] * len(service_accounts),
        "mfa": np.concatenate(
            [rng.random(len(users)) < 0.6, np.zeros(len(service_accounts), bool)]
        ),
        "is_service": np.concatenate(
            [np.zeros(len(users), bool), np.ones(len(service_accounts), bool)]
        ),
    }


def _customers(plant: Plant) -> None:
    rng = plant.rng("customers")
    n = plant.count("customers")
    horizon = plant.horizon
    loc = [names.MARKETS[i] for i in rng.integers(0, len(names.MARKETS), n)]
    used: set[str] = set()
    cnames = []
    for i in range(n):
        a = names.COMPANY_PREFIX[int(rng.integers(0, len(names.COMPANY_PREFIX)))]
        b = names.COMPANY_SUFFIX[int(rng.integers(0, len(names.COMPANY_SUFFIX)))]
        name = f"{a} {b}"
        if name in used:
            name = f"{a} {b} {loc[i][2]}"
        if name in used:
            name = f"{a} {b} {i + 1}"
        used.add(name)
        cnames.append(name)
    rank = rng.permutation(n) / n
    segment = np.where(
        rank < 0.05,
        "STRATEGIC",
        np.where(rank < 0.2, "ENTERPRISE", np.where(rank < 0.55, "MID_MARKET", "SMB")),
    )
    weight = np.select(
        [segment == "STRATEGIC", segment == "ENTERPRISE", segment == "MID_MARKET"],
        [12.0, 5.0, 2.0],
        1.0,
    ) * rng.lognormal(0, 0.3, n)
    created = horizon.first_day - rng.integers(60, 3500, n)
    new = (rng.random(n) < 0.07) & (segment != "STRATEGIC")
    created = np.where(new, rng.integers(horizon.first_day, horizon.last_day + 1, n), created)
    churn = np.full(n, NULL_INT, dtype=np.int64)
    churning = (rng.random(n) < 0.04) & np.isin(segment, ["MID_MARKET", "SMB"]) & ~new
    churn_day = rng.integers(horizon.first_day + 10, horizon.last_day + 2, n)
    churning &= churn_day < horizon.cutoff_day
    churn = np.where(churning, churn_day, churn)
    # account managers: an active rep of the customer's region where there is one
    reps = plant.sales_reps
    active = np.flatnonzero(reps["active"])
    managers = np.empty(n, dtype=np.int64)
    for i in range(n):
        same = active[reps["region"][active] == loc[i][1]]
        pool = same if len(same) else active
        managers[i] = reps["sales_rep_id"][pool[int(rng.integers(0, len(pool)))]]
    slug = [c.lower().replace(" ", "-").replace("&", "and") for c in cnames]
    dcs = np.flatnonzero(plant.warehouses["type"] == "DISTRIBUTION")
    dc_regions = [plant.warehouses["region"][w] for w in dcs]
    dc_of = np.array(
        [
            plant.warehouses["warehouse_id"][dcs[dc_regions.index(x[1])]]
            if x[1] in dc_regions
            else plant.warehouses["warehouse_id"][dcs[i % len(dcs)]]
            for i, x in enumerate(loc)
        ]
    )
    credit = np.select(
        [segment == "STRATEGIC", segment == "ENTERPRISE", segment == "MID_MARKET"],
        [5_000_000, 1_500_000, 400_000],
        100_000,
    ) * rng.choice([0.5, 1.0, 1.5, 2.0], n)
    terms = np.select([segment == "STRATEGIC", segment == "ENTERPRISE"], [60, 45], 30)
    plant.customers = {
        "customer_id": np.arange(1, n + 1),
        "code": [f"C{i:05d}" for i in range(1, n + 1)],
        "name": cnames,
        "type": [names.CUSTOMER_TYPES[i] for i in rng.integers(0, 4, n)],
        "industry": [names.INDUSTRIES[i] for i in rng.integers(0, len(names.INDUSTRIES), n)],
        "country": [x[0] for x in loc],
        "region": [x[1] for x in loc],
        "city": [x[2] for x in loc],
        "credit_limit": credit.astype(float),
        "terms": terms,
        "email": [f"purchasing@{s}.example" for s in slug],
        "phone": [f"+{10 + (i * 37) % 89} {1000000 + (i * 7919) % 8999999}" for i in range(n)],
        "segment": segment,
        "weight": weight,
        "created_day": created,
        "churn_day": churn,
        "rep_id": managers,
        "dc_id": dc_of,
        "nps": np.clip(np.round(rng.normal(35, 30, n)), -100, 100).astype(np.int64),
        "contact": [
            f"{names.FIRST_NAMES[i]} {names.LAST_NAMES[j]}"
            for i, j in zip(
                rng.integers(0, len(names.FIRST_NAMES), n),
                rng.integers(0, len(names.LAST_NAMES), n),
                strict=True,
            )
        ],
    }


def _scada_points(plant: Plant) -> None:
    rng = plant.rng("scada_points")
    m = plant.machines
    rows: dict[str, list] = {
        k: [] for k in ("machine", "meas", "unit", "base", "noise", "low", "high", "interval")
    }
    for mid in m["machine_id"]:
        for j, (meas, unit, (lo, hi), noise, below, above, interval) in enumerate(MEASUREMENTS):
            if j == 3 and rng.random() < 0.5:
                continue
            base = rng.uniform(lo, hi)
            rows["machine"].append(int(mid))
            rows["meas"].append(meas)
            rows["unit"].append(unit)
            rows["base"].append(base)
            rows["noise"].append(noise)
            rows["low"].append(round(max(0.0, base - below), 1))
            rows["high"].append(round(base + above, 1))
            rows["interval"].append(interval)
    n = len(rows["machine"])
    machine = np.array(rows["machine"])
    plant.scada_points = {
        "point_id": np.arange(1, n + 1),
        "machine_id": machine,
        "tag": [
            f"{m['code'][mid - 1]}.{meas}" for mid, meas in zip(machine, rows["meas"], strict=True)
        ],
        "measurement": np.array(rows["meas"]),
        "unit": rows["unit"],
        "base": np.array(rows["base"]),
        "noise": np.array(rows["noise"]),
        "low": np.array(rows["low"]),
        "high": np.array(rows["high"]),
        "interval": np.array(rows["interval"]),
    }


def _logistics(plant: Plant) -> None:
    rng = plant.rng("carriers")
    n_c = min(len(names.CARRIERS), plant.count("carriers"))
    chosen = names.CARRIERS[:n_c]
    plant.carriers = {
        "carrier_id": np.arange(1, n_c + 1),
        "code": [c[0] for c in chosen],
        "name": [c[1] for c in chosen],
        "mode": np.array([c[2] for c in chosen]),
        "target": np.round(rng.uniform(88, 97, n_c), 2),
        "reliability": rng.uniform(0.82, 0.97, n_c),
    }
    rng = plant.rng("routes")
    cust = plant.customers
    wh = plant.warehouses
    keys = sorted(
        {
            (int(d), c, r, city)
            for d, c, r, city in zip(
                cust["dc_id"], cust["country"], cust["region"], cust["city"], strict=True
            )
        }
    )
    origin = np.array([k[0] for k in keys])
    same_country = np.array([wh["country"][k[0] - 1] == k[1] for k in keys])
    same_region = np.array([wh["region"][k[0] - 1] == k[2] for k in keys])
    distance = np.where(
        same_country,
        rng.uniform(50, 900, len(keys)),
        np.where(
            same_region, rng.uniform(400, 2500, len(keys)), rng.uniform(3000, 14000, len(keys))
        ),
    )
    transit = np.where(
        same_country,
        rng.integers(1, 4, len(keys)),
        np.where(same_region, rng.integers(2, 7, len(keys)), rng.integers(6, 26, len(keys))),
    )
    plant.routes = {
        "route_id": np.arange(1, len(keys) + 1),
        "origin": origin,
        "country": [k[1] for k in keys],
        "region": [k[2] for k in keys],
        "city": [k[3] for k in keys],
        "distance": np.round(distance, 1),
        "transit": transit,
        "long_haul": ~same_region,
    }
    lookup = {k: i + 1 for i, k in enumerate(keys)}
    cust["route_id"] = np.array(
        [
            lookup[(int(d), c, r, city)]
            for d, c, r, city in zip(
                cust["dc_id"], cust["country"], cust["region"], cust["city"], strict=True
            )
        ]
    )


def _finance(plant: Plant) -> None:
    n = len(GL_ACCOUNTS)
    plant.accounts = {
        "account_id": np.arange(1, n + 1),
        "number": [a[0] for a in GL_ACCOUNTS],
        "name": [a[1] for a in GL_ACCOUNTS],
        "type": [a[2] for a in GL_ACCOUNTS],
        "subtype": [a[3] for a in GL_ACCOUNTS],
        "cash_flow": [a[4] for a in GL_ACCOUNTS],
        "cost_element": [a[5] for a in GL_ACCOUNTS],
        "by_number": {a[0]: i + 1 for i, a in enumerate(GL_ACCOUNTS)},
    }
    horizon = plant.horizon
    keys = horizon.months()
    cutoff_key = (
        day_to_date(horizon.cutoff_day).year * 12 + day_to_date(horizon.cutoff_day).month - 1
    )
    keys = [k for k in keys if k <= cutoff_key] or keys[:1]
    starts = np.array([month_start(k) for k in keys], dtype=np.int64)
    ends = np.array([month_start(k + 1) - 1 for k in keys], dtype=np.int64)
    # a month is closed on the 5th of the next month
    close_ts = (ends + 5) * DAY + 17 * HOUR
    closed = close_ts < horizon.cutoff_ts
    plant.periods = {
        "period_id": np.arange(1, len(keys) + 1),
        "code": [f"{k // 12}-{k % 12 + 1:02d}" for k in keys],
        "start_day": starts,
        "end_day": ends,
        "closed": closed,
        "closed_ts": np.where(closed, close_ts, NULL_INT),
        "key": np.array(keys),
    }
