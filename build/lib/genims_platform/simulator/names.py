"""Vocabulary of the simulated company: places, names and codes. Data only."""

from __future__ import annotations

# (country, region, city, timezone)
FACTORY_SITES = [
    ("US", "North America", "Detroit", "America/Detroit"),
    ("DE", "Europe", "Stuttgart", "Europe/Berlin"),
    ("MX", "North America", "Monterrey", "America/Monterrey"),
    ("CN", "Asia Pacific", "Suzhou", "Asia/Shanghai"),
    ("PL", "Europe", "Wroclaw", "Europe/Warsaw"),
    ("IN", "Asia Pacific", "Pune", "Asia/Kolkata"),
    ("BR", "South America", "Curitiba", "America/Sao_Paulo"),
    ("US", "North America", "Greenville", "America/New_York"),
    ("CZ", "Europe", "Brno", "Europe/Prague"),
    ("TH", "Asia Pacific", "Rayong", "Asia/Bangkok"),
    ("JP", "Asia Pacific", "Nagoya", "Asia/Tokyo"),
    ("ES", "Europe", "Zaragoza", "Europe/Madrid"),
]

# (country, region, city) of customers, suppliers and distribution centres
MARKETS = [
    ("US", "North America", "Chicago"),
    ("US", "North America", "Houston"),
    ("US", "North America", "Atlanta"),
    ("CA", "North America", "Toronto"),
    ("MX", "North America", "Guadalajara"),
    ("DE", "Europe", "Munich"),
    ("DE", "Europe", "Hamburg"),
    ("FR", "Europe", "Lyon"),
    ("GB", "Europe", "Birmingham"),
    ("IT", "Europe", "Milan"),
    ("NL", "Europe", "Rotterdam"),
    ("PL", "Europe", "Poznan"),
    ("CN", "Asia Pacific", "Shenzhen"),
    ("JP", "Asia Pacific", "Osaka"),
    ("KR", "Asia Pacific", "Busan"),
    ("IN", "Asia Pacific", "Chennai"),
    ("AU", "Asia Pacific", "Melbourne"),
    ("BR", "South America", "Sao Paulo"),
    ("AR", "South America", "Cordoba"),
    ("ZA", "Africa", "Johannesburg"),
]

LINE_TYPES = ["ASSEMBLY", "MACHINING", "MOLDING", "STAMPING", "PAINTING", "PACKAGING"]
MACHINE_TYPES = {
    "ASSEMBLY": ["Assembly robot", "Screwdriving station", "Press-fit station", "Test bench"],
    "MACHINING": ["CNC lathe", "CNC mill", "Grinder", "Deburring cell"],
    "MOLDING": ["Injection molder", "Mold temperature unit", "Trimming press", "Vision station"],
    "STAMPING": ["Servo press", "Coil feeder", "Transfer press", "Die cushion"],
    "PAINTING": ["Pretreatment tank", "Paint robot", "Curing oven", "Inspection booth"],
    "PACKAGING": ["Case packer", "Labeler", "Stretch wrapper", "Checkweigher"],
}
MANUFACTURERS = [
    "Siemens",
    "Fanuc",
    "ABB",
    "DMG Mori",
    "Haas",
    "KUKA",
    "Engel",
    "Bosch Rexroth",
    "Schuler",
    "Trumpf",
    "Mazak",
    "Okuma",
]

PRODUCT_CATEGORIES = {
    "Drive Systems": ["Gear motors", "Servo drives", "Couplings"],
    "Fluid Power": ["Valves", "Pumps", "Cylinders"],
    "Electrical": ["Control panels", "Sensors", "Harnesses"],
    "Structural": ["Brackets", "Housings", "Frames"],
}
PRODUCT_NOUNS = ["unit", "module", "assembly", "kit", "series", "pack"]

# (material_type, share, uoms, unit cost range)
MATERIAL_KINDS = [
    ("RAW_MATERIAL", 0.34, ["KG", "M", "L"], (1.0, 18.0)),
    ("COMPONENT", 0.36, ["EA"], (0.5, 45.0)),
    ("PACKAGING", 0.10, ["EA"], (0.1, 3.0)),
    ("SPARE_PART", 0.15, ["EA"], (20.0, 900.0)),
    ("CONSUMABLE", 0.05, ["L", "KG", "EA"], (2.0, 40.0)),
]
MATERIAL_WORDS = {
    "RAW_MATERIAL": [
        "Steel sheet",
        "Aluminium bar",
        "Copper wire",
        "ABS granulate",
        "Epoxy resin",
        "Stainless tube",
        "PA6 granulate",
        "Brass rod",
        "Zinc alloy",
        "Primer",
    ],
    "COMPONENT": [
        "Bearing",
        "Seal kit",
        "PCB",
        "Fastener set",
        "Gear",
        "Shaft",
        "Connector",
        "O-ring",
        "Spring",
        "Motor",
        "Sensor chip",
        "Bushing",
    ],
    "PACKAGING": ["Carton", "Pallet", "Foam insert", "Stretch film roll", "Label roll"],
    "SPARE_PART": [
        "Spindle",
        "Servo motor",
        "Drive belt",
        "Hydraulic pump",
        "Proximity switch",
        "Nozzle",
        "Heater band",
        "Encoder",
        "Contactor",
        "Linear guide",
    ],
    "CONSUMABLE": ["Cutting fluid", "Lubricant", "Welding wire", "Cleaning agent", "Abrasive disc"],
}
SUPPLIER_CATEGORY = {
    "RAW_MATERIAL": "RAW_MATERIALS",
    "COMPONENT": "COMPONENTS",
    "PACKAGING": "PACKAGING",
    "SPARE_PART": "MRO",
    "CONSUMABLE": "MRO",
}

COMPANY_PREFIX = [
    "Apex",
    "Nordic",
    "Vertex",
    "Summit",
    "Pioneer",
    "Atlas",
    "Orion",
    "Delta",
    "Keystone",
    "Harbor",
    "Granite",
    "Falcon",
    "Meridian",
    "Crescent",
    "Liberty",
    "Sterling",
    "Pacific",
    "Northern",
    "Evergreen",
    "Titan",
    "Beacon",
    "Cobalt",
    "Redwood",
    "Silverline",
    "Blue Ridge",
    "Ironwood",
    "Everest",
    "Lakeside",
]
COMPANY_SUFFIX = [
    "Industries",
    "Manufacturing",
    "Systems",
    "Technologies",
    "Automation",
    "Equipment",
    "Engineering",
    "Components",
    "Solutions",
    "Machinery",
    "Group",
    "Holdings",
    "Supply",
    "Works",
]
INDUSTRIES = [
    "Automotive",
    "Aerospace",
    "Agriculture",
    "Construction",
    "Energy",
    "Food & Beverage",
    "Logistics",
    "Medical",
    "Mining",
    "Rail",
    "Marine",
    "Utilities",
]
CUSTOMER_TYPES = ["OEM", "DISTRIBUTOR", "SYSTEM_INTEGRATOR", "END_USER"]

FIRST_NAMES = [
    "James",
    "Maria",
    "Wei",
    "Anna",
    "Carlos",
    "Priya",
    "Lukas",
    "Sofia",
    "Ahmed",
    "Emma",
    "Hiroshi",
    "Olivia",
    "Jan",
    "Fatima",
    "Diego",
    "Chloe",
    "Raj",
    "Elena",
    "Tomasz",
    "Grace",
    "Mateo",
    "Ingrid",
    "Kofi",
    "Yuki",
    "Noah",
    "Lea",
    "Omar",
    "Hannah",
    "Ivan",
    "Mia",
    "Pedro",
    "Aisha",
    "Felix",
    "Julia",
    "Chen",
    "Laura",
]
LAST_NAMES = [
    "Smith",
    "Garcia",
    "Wang",
    "Muller",
    "Kowalski",
    "Patel",
    "Schmidt",
    "Rossi",
    "Nguyen",
    "Johnson",
    "Tanaka",
    "Silva",
    "Novak",
    "Brown",
    "Lopez",
    "Kim",
    "Fischer",
    "Martin",
    "Singh",
    "Weber",
    "Costa",
    "Hansen",
    "Dubois",
    "Ivanova",
    "Okafor",
    "Yamamoto",
    "Meyer",
    "Santos",
    "Larsen",
    "Moreau",
    "Khan",
    "Becker",
]

CARRIERS = [
    ("DHLF", "DHL Freight", "ROAD"),
    ("KNRL", "Kuehne+Nagel Rail", "RAIL"),
    ("FDXA", "FedEx Air Cargo", "AIR"),
    ("MSKS", "Maersk Line", "SEA"),
    ("XPOL", "XPO Logistics", "ROAD"),
    ("DBSR", "DB Schenker", "ROAD"),
    ("UPSF", "UPS Freight", "ROAD"),
    ("CEVA", "CEVA Logistics", "ROAD"),
    ("JBHT", "J.B. Hunt", "ROAD"),
    ("NPPN", "Nippon Express", "AIR"),
    ("CMAC", "CMA CGM", "SEA"),
    ("GEOD", "Geodis", "ROAD"),
]

FAULT_CATEGORIES = [
    "MECHANICAL",
    "ELECTRICAL",
    "HYDRAULIC",
    "PNEUMATIC",
    "CONTROL_SOFTWARE",
    "SENSOR",
    "TOOLING",
]
IDLE_REASONS = ["STARVED", "BLOCKED", "NO_OPERATOR", "MATERIAL_WAIT", "MINOR_STOP"]
DELAY_REASONS = [
    "MATERIAL_SHORTAGE",
    "MACHINE_BREAKDOWN",
    "LABOR_SHORTAGE",
    "CHANGEOVER_OVERRUN",
    "QUALITY_HOLD",
    "UPSTREAM_DELAY",
]
DEFECT_TYPES = [  # (code, category)
    ("D-DIM", "DIMENSIONAL"),
    ("D-SUR", "SURFACE_FINISH"),
    ("D-ASM", "ASSEMBLY"),
    ("D-ELE", "ELECTRICAL"),
    ("D-MAT", "MATERIAL"),
    ("D-LEAK", "LEAK_TEST"),
    ("D-LBL", "LABELING"),
    ("D-PNT", "PAINT"),
]
ROOT_CAUSES = [
    "Tool wear",
    "Operator error",
    "Incoming material",
    "Machine calibration",
    "Process parameter drift",
    "Design tolerance",
    "Handling damage",
    "Contamination",
]
COUNT_ROOT_CAUSES = [
    "Unrecorded scrap",
    "Mis-pick",
    "Receiving error",
    "Unit of measure error",
    "Theft or loss",
    "Damaged in storage",
    "Transaction timing",
]
TICKET_CATEGORIES = ["INSTALLATION", "DEFECT", "HOW_TO", "SPARE_PARTS", "PERFORMANCE", "BILLING"]
CASE_CATEGORIES = ["DELIVERY", "QUALITY", "BILLING", "PRODUCT_INFO", "ACCOUNT", "RETURNS"]
RETURN_REASONS = ["DEFECTIVE", "WRONG_ITEM", "DAMAGED_IN_TRANSIT", "NOT_NEEDED", "LATE_DELIVERY"]
LEAD_SOURCES = ["WEBSITE", "TRADE_SHOW", "REFERRAL", "COLD_CALL", "PARTNER", "CAMPAIGN"]
COURSES = [  # (code, name, validity days or 0)
    ("SAF-101", "Workplace safety basics", 365),
    ("LOTO-201", "Lockout/tagout", 730),
    ("GDPR-110", "Data protection awareness", 365),
    ("ISO-9001", "Quality management system", 1095),
    ("FLT-150", "Forklift operation", 1095),
    ("ESD-120", "Electrostatic discharge handling", 730),
    ("ETH-100", "Code of conduct", 365),
    ("CYB-130", "Cyber security awareness", 365),
]
CERTIFICATIONS = [
    ("ISO 9001", "TUV SUD"),
    ("ISO 14001", "Bureau Veritas"),
    ("IATF 16949", "DNV"),
    ("ISO 45001", "SGS"),
    ("ISO 27001", "BSI"),
]
AUDIT_AREAS = [
    ("Procure-to-pay", "PROCUREMENT"),
    ("Order-to-cash", "FINANCE"),
    ("Payroll", "HR"),
    ("Inventory control", "LOGISTICS"),
    ("IT general controls", "IT"),
    ("Fixed assets", "FINANCE"),
    ("Data protection", "IT"),
    ("Health and safety", "OPERATIONS"),
]
PORTAL_RESOURCES = [
    "PURCHASE_ORDER",
    "INVOICE",
    "RFQ",
    "CONTRACT",
    "DRAWING",
    "FORECAST",
    "QUALITY_REPORT",
]
PORTAL_ACTIONS = ["VIEW", "DOWNLOAD", "UPLOAD", "SUBMIT"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/17.5",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/126.0",
    "GenIMS-Mobile/3.2 (Android 14)",
    "GenIMS-Mobile/3.2 (iOS 17.5)",
]
APPLICATIONS = ["ERP", "MES", "CRM", "WMS", "PORTAL", "BI"]
