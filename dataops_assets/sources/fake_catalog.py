"""Built-in word lists for fake business data: products, vendors, bases and climates."""

from __future__ import annotations

# category -> (median list price, nouns)
PRODUCT_CATEGORIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "electronics": (89.0, ("Headphones", "Speaker", "Charger", "Monitor", "Keyboard", "Router", "Webcam", "Tablet")),
    "home": (34.0, ("Lamp", "Blender", "Kettle", "Pillow", "Rug", "Toaster", "Vase", "Cookware Set")),
    "apparel": (29.0, ("Jacket", "T-Shirt", "Sneakers", "Hoodie", "Jeans", "Scarf", "Cap", "Dress")),
    "sports": (42.0, ("Yoga Mat", "Dumbbell", "Bike Helmet", "Tennis Racket", "Water Bottle", "Backpack", "Tent")),
    "beauty": (18.0, ("Face Cream", "Shampoo", "Perfume", "Lip Balm", "Serum", "Hair Dryer", "Nail Kit")),
    "toys": (24.0, ("Puzzle", "Building Set", "Plush Bear", "Board Game", "Race Car", "Doll House", "Kite")),
    "grocery": (6.5, ("Coffee Beans", "Olive Oil", "Granola", "Green Tea", "Pasta", "Honey", "Dark Chocolate")),
    "books": (15.0, ("Cookbook", "Novel", "Travel Guide", "Notebook", "Atlas", "Biography", "Comic")),
}
PRODUCT_CATEGORY_WEIGHTS: tuple[float, ...] = (0.18, 0.16, 0.16, 0.1, 0.1, 0.08, 0.12, 0.1)

PRODUCT_ADJECTIVES: tuple[str, ...] = (
    "Classic", "Premium", "Ultra", "Compact", "Smart", "Eco", "Deluxe", "Pro", "Essential",
    "Urban", "Vintage", "Wireless", "Organic", "Lightweight", "Portable", "Advanced", "Everyday",
    "Signature", "Nordic", "Modern", "Rugged", "Soft", "Bright", "Fresh",
)

BRANDS: tuple[str, ...] = (
    "Acme", "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark",
    "Wayne", "Tyrell", "Soylent", "Hooli", "Vandelay", "Wonka", "Cyberdyne", "Aperture",
    "Oceanic", "Pied Piper", "Monarch", "Gringotts", "Duff", "Virtucon", "Zorg", "Massive Dynamic",
    "Blue Sun", "Nakatomi", "Oscorp", "Sirius", "Yoyodyne", "Weyland",
)

VENDOR_CATEGORIES: tuple[str, ...] = (
    "it_services", "facilities", "logistics", "professional_services", "hardware", "software",
)
# median spend per line item, by vendor category (same order as VENDOR_CATEGORIES)
VENDOR_CATEGORY_SPEND: tuple[float, ...] = (4200.0, 1800.0, 2600.0, 6500.0, 3100.0, 2400.0)

VENDOR_WORDS: tuple[str, ...] = (
    "Apex", "Summit", "Northwind", "Bluewater", "Ironbridge", "Silverline", "Redwood", "Keystone",
    "Pinnacle", "Harbor", "Granite", "Evergreen", "Cobalt", "Meridian", "Sterling", "Atlas",
    "Beacon", "Crescent", "Horizon", "Lakeside", "Vertex", "Orion", "Falcon", "Cascade",
    "Global", "United", "Precision", "Strategic", "Integrated", "Advanced", "Allied", "Premier",
)
VENDOR_NOUNS: tuple[str, ...] = (
    "Systems", "Logistics", "Partners", "Solutions", "Technologies", "Services", "Consulting",
    "Networks", "Supply", "Dynamics", "Industries", "Facilities", "Software", "Analytics", "Group",
)
# Legal-form suffixes by vendor country (order follows landing_tables.COUNTRIES).
VENDOR_SUFFIXES: dict[str, tuple[str, ...]] = {
    "US": ("LLC", "Inc"), "CA": ("Inc", "Ltd"), "UK": ("Ltd", "PLC"), "DE": ("GmbH", "AG"),
    "FR": ("SA", "SARL"), "AU": ("Pty Ltd",), "JP": ("KK", "Co. Ltd"),
}

EQUIPMENT_TYPES: tuple[str, ...] = ("truck", "generator", "radar", "drone", "forklift", "helicopter", "radio")
EQUIPMENT_TYPE_WEIGHTS: tuple[float, ...] = (0.28, 0.16, 0.06, 0.14, 0.16, 0.05, 0.15)
# Mean operating hours per day in service, by equipment type (same order as above).
EQUIPMENT_DAILY_HOURS: tuple[float, ...] = (6.0, 9.0, 14.0, 2.5, 5.0, 1.5, 10.0)

# region -> ((base name, latitude, longitude), ...); order matches LOGISTICS_REGIONS.
BASES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "conus_east": (
        ("Fort Liberty", 35.139, -79.006), ("Norfolk Depot", 36.946, -76.313),
        ("Fort Drum", 44.055, -75.758), ("Dover Yard", 39.130, -75.466),
    ),
    "conus_west": (
        ("Fort Irwin", 35.263, -116.685), ("Joint Base Lewis", 47.086, -122.581),
        ("Camp Pendleton", 33.385, -117.566), ("Nellis Field", 36.236, -115.034),
    ),
    "europe": (
        ("Ramstein", 49.437, 7.600), ("Grafenwoehr", 49.698, 11.941),
        ("Vicenza", 45.545, 11.546), ("Rota", 36.645, -6.350),
    ),
    "pacific": (
        ("Pearl Harbor", 21.345, -157.974), ("Kadena", 26.356, 127.768),
        ("Yokosuka", 35.283, 139.667), ("Guam Andersen", 13.584, 144.930),
    ),
    "middle_east": (
        ("Al Udeid", 25.117, 51.315), ("Camp Arifjan", 28.933, 48.100),
        ("Bahrain Support", 26.210, 50.610),
    ),
}
LOGISTICS_REGION_WEIGHTS: tuple[float, ...] = (0.26, 0.24, 0.2, 0.18, 0.12)

# region -> (mean temperature C, seasonal amplitude C, mean wind kph, rainy-day share)
CLIMATES: dict[str, tuple[float, float, float, float]] = {
    "conus_east": (14.0, 11.0, 15.0, 0.35),
    "conus_west": (17.0, 8.0, 13.0, 0.18),
    "europe": (11.0, 9.0, 16.0, 0.42),
    "pacific": (26.0, 3.0, 20.0, 0.45),
    "middle_east": (30.0, 9.0, 17.0, 0.05),
}
