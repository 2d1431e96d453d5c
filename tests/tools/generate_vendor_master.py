#!/usr/bin/env python3
"""Generate the embedded vendor master (fictional, deterministic).

    python3 tests/tools/generate_vendor_master.py > functions/vendor-enrichment/data/vendors.json

Every company here is invented. The set is built to exercise matching: the
same name in two countries, near-duplicates (ACME Corporation / ACME Holdings),
subsidiaries with a parent_id, diacritics (Müller / Mueller), a blocked
vendor, inactive vendors, and tax ids in each country's format.
"""
import json
import random

rng = random.Random(20261125)

COUNTRIES = {
    # country: (currency, tax id maker, legal suffixes)
    "DE": ("EUR", lambda: "DE" + "".join(rng.choice("0123456789") for _ in range(9)), ["GmbH", "AG", "GmbH & Co. KG"]),
    "FR": ("EUR", lambda: "FR" + "".join(rng.choice("0123456789") for _ in range(11)), ["S.A.", "SAS", "SARL"]),
    "NL": ("EUR", lambda: "NL" + "".join(rng.choice("0123456789") for _ in range(9)) + "B01", ["B.V.", "N.V."]),
    "BE": ("EUR", lambda: "BE0" + "".join(rng.choice("0123456789") for _ in range(9)), ["BV", "NV"]),
    "ES": ("EUR", lambda: "ESB" + "".join(rng.choice("0123456789") for _ in range(8)), ["S.L.", "S.A."]),
    "IT": ("EUR", lambda: "IT" + "".join(rng.choice("0123456789") for _ in range(11)), ["S.p.A.", "S.r.l."]),
    "AT": ("EUR", lambda: "ATU" + "".join(rng.choice("0123456789") for _ in range(8)), ["GmbH"]),
    "IE": ("EUR", lambda: "IE" + "".join(rng.choice("0123456789") for _ in range(7)) + "W", ["Ltd", "DAC"]),
    "GB": ("GBP", lambda: "GB" + "".join(rng.choice("0123456789") for _ in range(9)), ["Ltd", "PLC", "Limited"]),
    "US": ("USD", lambda: "".join(rng.choice("0123456789") for _ in range(2)) + "-" + "".join(rng.choice("0123456789") for _ in range(7)), ["Inc.", "LLC", "Corp."]),
    "SE": ("SEK", lambda: "SE" + "".join(rng.choice("0123456789") for _ in range(10)) + "01", ["AB"]),
    "PL": ("PLN", lambda: "PL" + "".join(rng.choice("0123456789") for _ in range(10)), ["Sp. z o.o.", "S.A."]),
    "CH": ("CHF", lambda: "CHE-" + "".join(rng.choice("0123456789") for _ in range(3)) + "." + "".join(rng.choice("0123456789") for _ in range(3)) + "." + "".join(rng.choice("0123456789") for _ in range(3)), ["AG", "GmbH", "SA"]),
    "NG": ("NGN", lambda: "".join(rng.choice("0123456789") for _ in range(8)) + "-0001", ["Ltd", "PLC", "Nigeria Limited"]),
    "IN": ("INR", lambda: "".join(rng.choice("0123456789") for _ in range(2)) + "AAACR" + "".join(rng.choice("0123456789") for _ in range(4)) + "K1Z" + rng.choice("0123456789"), ["Pvt. Ltd.", "Limited"]),
    "JP": ("JPY", lambda: "T" + "".join(rng.choice("0123456789") for _ in range(13)), ["K.K.", "Co., Ltd."]),
    "BR": ("BRL", lambda: "".join(rng.choice("0123456789") for _ in range(2)) + "." + "".join(rng.choice("0123456789") for _ in range(3)) + "." + "".join(rng.choice("0123456789") for _ in range(3)) + "/0001-" + "".join(rng.choice("0123456789") for _ in range(2)), ["Ltda.", "S.A."]),
}

STEMS = [
    "Northwind", "Bluefield", "Stonebridge", "Larkspur", "Veltro", "Quantis", "Halberg", "Orinoco", "Kestrel",
    "Brightwater", "Amberline", "Copperleaf", "Driftwood", "Evergreen", "Falconer", "Greystone", "Harbourview",
    "Ironbark", "Juniper", "Kingsmead", "Lindqvist", "Marlowe", "Nordhavn", "Oakhurst", "Pemberton", "Quillon",
    "Redwood", "Silverline", "Tamarind", "Umbra", "Valemont", "Westerly", "Yarrow", "Zephyr", "Alder", "Birchwood",
    "Cobalt", "Delphi", "Ember", "Fjordline", "Granite", "Helix", "Indigo", "Jasper", "Kalmar", "Lumen", "Meridian",
    "Nimbus", "Onyx", "Pioneer", "Quarry", "Rivet", "Sable", "Tidewater", "Upland", "Vector", "Wexford", "Xylo",
    "Yukon", "Zenith", "Atlas", "Beacon", "Cascade", "Dunmore", "Eastgate", "Foxglove", "Glenrock", "Hawthorn",
]
TRADES = [
    ("Logistics", "cogs"), ("Freight", "cogs"), ("Components", "cogs"), ("Packaging", "cogs"), ("Plastics", "cogs"),
    ("Metals", "cogs"), ("Chemicals", "cogs"), ("Textiles", "cogs"), ("Software", "opex"), ("Consulting", "opex"),
    ("Office Supplies", "opex"), ("Cleaning Services", "opex"), ("Telecom", "opex"), ("Legal Partners", "opex"),
    ("Marketing", "opex"), ("Security Services", "opex"), ("Facilities", "opex"), ("Machinery", "capex"),
    ("Industrial Equipment", "capex"), ("Vehicles", "capex"), ("Construction", "capex"), ("IT Hardware", "capex"),
    ("Travel", "travel"), ("Hotels", "travel"), ("Airlines", "travel"), ("Car Rental", "travel"),
]
TERMS = ["NET15", "NET30", "NET30", "NET45", "NET60", "NET60", "EOM", "NET90"]


def vendor(i, name, country, category, **extra):
    currency, tax, _ = COUNTRIES[country]
    v = {
        "vendor_id": f"V-{10000 + i}",
        "legal_name": name,
        "aliases": [],
        "tax_id": tax(),
        "country": country,
        "currency": currency,
        "payment_terms": rng.choice(TERMS),
        "risk_tier": rng.choices(["low", "medium", "high"], [70, 25, 5])[0],
        "status": rng.choices(["active", "inactive"], [95, 5])[0],
        "default_category": category,
        "parent_id": None,
    }
    v.update(extra)
    return v


def main():
    vendors = []
    used = set()
    # Hand-made cases first: these are what the tests and the demo rely on.
    special = [
        ("ACME Corporation", "US", "capex", {"aliases": ["ACME Corp.", "Acme Corp"], "risk_tier": "low", "status": "active"}),
        ("ACME Holdings Inc.", "US", "opex", {"risk_tier": "medium", "status": "active"}),
        ("Müller GmbH", "DE", "cogs", {"aliases": ["Mueller GmbH"], "status": "active", "risk_tier": "low"}),
        ("Müller GmbH", "AT", "opex", {"status": "active", "risk_tier": "low"}),
        ("Société Générale d'Équipement S.A.", "FR", "capex", {"status": "active", "risk_tier": "low"}),
        ("Crestline Components Ltd", "GB", "cogs", {"status": "blocked", "risk_tier": "high"}),
        ("Lagos Freight Nigeria Limited", "NG", "cogs", {"status": "active", "risk_tier": "medium"}),
        ("Nordhavn Logistics AB", "SE", "cogs", {"status": "active", "risk_tier": "low"}),
        ("Nordhavn Logistik GmbH", "DE", "cogs", {"status": "active", "risk_tier": "low"}),
        ("Sakura Office Supplies K.K.", "JP", "opex", {"status": "active", "risk_tier": "low"}),
        ("Skyward Airlines Ltd", "GB", "travel", {"status": "active", "risk_tier": "low"}),
        ("Old Harbour Cleaning LLC", "US", "opex", {"status": "inactive", "risk_tier": "low"}),
    ]
    for name, country, category, extra in special:
        vendors.append(vendor(len(vendors) + 1, name, country, category, **extra))
        used.add((name, country))
    acme = vendors[0]["vendor_id"]
    vendors.append(vendor(len(vendors) + 1, "ACME Europe B.V.", "NL", "capex", parent_id=acme, status="active"))
    vendors.append(vendor(len(vendors) + 1, "ACME Deutschland GmbH", "DE", "capex", parent_id=acme, status="active"))

    while len(vendors) < 320:
        stem = rng.choice(STEMS)
        trade, category = rng.choice(TRADES)
        country = rng.choice(list(COUNTRIES))
        suffix = rng.choice(COUNTRIES[country][2])
        name = f"{stem} {trade} {suffix}"
        if (name, country) in used:
            continue
        used.add((name, country))
        v = vendor(len(vendors) + 1, name, country, category)
        # A few subsidiaries of earlier vendors with the same stem.
        parents = [p for p in vendors if p["legal_name"].startswith(stem + " ") and p["parent_id"] is None]
        if parents and rng.random() < 0.25:
            v["parent_id"] = parents[0]["vendor_id"]
        vendors.append(v)
    print(json.dumps({"version": 1, "generated_by": "tests/tools/generate_vendor_master.py", "vendors": vendors}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
