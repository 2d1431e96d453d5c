#!/usr/bin/env python3
"""Generate the labelled evaluation set for vendor-name matching (deterministic).

    python3 tests/tools/generate_vendor_eval.py > functions/vendor-enrichment/tests/data/matching_eval.json

Two kinds of queries, each with the label the matcher must honour:

* known: names of vendors of the embedded master as invoices spell them:
  keystroke typos, legal-form variants, diacritics added or dropped, word
  order, standard abbreviations, missing words, aliases, case and
  punctuation. Labelled with the vendor id they mean.
* unknown: names of vendors that are NOT in the master but share words with
  ones that are: the same first word with another industry word, another
  first word with the same industry word, an extra word, a country word the
  master's name lacks (a different legal entity), two master words joined.
  Labelled null: accepting any vendor for them is a wrong payment.

This script has its own, deliberately simple normalization (it does not
reuse the matcher's), used only to keep labels honest: a "known" variant
that happens to spell another vendor's name, or an "unknown" name that is
really a master vendor, is not emitted.
"""
import json
import pathlib
import random
import re
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[2]
MASTER = json.loads((ROOT / "functions/vendor-enrichment/data/vendors.json").read_text())["vendors"]
rng = random.Random(20261201)

LEGAL = {
    # spelling -> equivalent spellings an invoice may use
    "GmbH": ["G.m.b.H.", "gmbh", "GMBH"],
    "GmbH & Co. KG": ["GmbH & Co KG", "GmbH u. Co. KG"],
    "AG": ["A.G.", "Aktiengesellschaft"],
    "S.A.": ["SA", "S.A"],
    "SAS": ["S.A.S.", "S.A.S"],
    "SARL": ["S.A.R.L.", "Sarl"],
    "B.V.": ["BV", "B.V"],
    "N.V.": ["NV", "N.V"],
    "BV": ["B.V.", "bv"],
    "NV": ["N.V.", "nv"],
    "S.L.": ["SL", "S.L"],
    "S.p.A.": ["SpA", "S.P.A."],
    "S.r.l.": ["Srl", "S.R.L."],
    "Ltd": ["Ltd.", "Limited", "LTD"],
    "Limited": ["Ltd", "Ltd."],
    "DAC": ["D.A.C.", "Designated Activity Company"],
    "PLC": ["plc", "P.L.C.", "Public Limited Company"],
    "Inc.": ["Inc", "Incorporated", "INC"],
    "LLC": ["L.L.C.", "llc"],
    "Corp.": ["Corp", "Corporation"],
    "Corporation": ["Corp.", "Corp"],
    "AB": ["Aktiebolag", "A.B."],
    "Sp. z o.o.": ["Sp.z o.o.", "sp. z o. o."],
    "Nigeria Limited": ["Nigeria Ltd", "Nigeria Ltd."],
    "Pvt. Ltd.": ["Private Limited", "Pvt Ltd"],
    "K.K.": ["KK", "Kabushiki Kaisha"],
    "Co., Ltd.": ["Co. Ltd.", "Company Limited"],
    "Ltda.": ["Ltda", "Limitada"],
}
LEGAL_WORDS = {
    "gmbh", "co", "kg", "u", "ag", "aktiengesellschaft", "sa", "sas", "sarl", "bv", "nv", "sl", "spa", "srl",
    "ltd", "limited", "dac", "designated", "activity", "company", "plc", "public", "inc", "incorporated", "llc",
    "corp", "corporation", "ab", "aktiebolag", "sp", "z", "o", "oo", "pvt", "private", "kk", "kabushiki",
    "kaisha", "ltda", "limitada",
}
ABBREVIATIONS = {
    "International": ["Intl", "Intl."], "Services": ["Svcs", "Svcs."], "Industrial": ["Ind.", "Indl."],
    "Equipment": ["Equip.", "Eqpt"], "Marketing": ["Mktg"], "Logistics": ["Log."], "Construction": ["Constr."],
    "Chemicals": ["Chem."], "Components": ["Comp."], "Packaging": ["Pkg."], "Hardware": ["HW"],
    "Software": ["SW"], "Supplies": ["Supp."], "Security": ["Sec."], "Facilities": ["Fac."],
    "Vehicles": ["Veh."], "Machinery": ["Mach."], "Partners": ["Ptnrs"], "Holdings": ["Hldgs"],
    "Consulting": ["Consult."], "Cleaning": ["Clng"], "Textiles": ["Tex."], "Telecom": ["Tel."],
}
# Words a name may lose on an invoice: filler first, then the first word of a two-word trade.
DROPPABLE_FILLER = {"Services", "Partners", "&", "and"}
TWO_WORD_TRADES = ["Office Supplies", "Cleaning Services", "Legal Partners", "Security Services",
                   "Industrial Equipment", "IT Hardware", "Car Rental"]
ACCENTS = {"e": "éèê", "a": "áàâ", "i": "íî", "o": "óô", "u": "úû", "c": "ç", "n": "ñ"}
KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok", "o": "ipl",
    "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv", "g": "fhtb", "h": "gjyn", "j": "hkum",
    "k": "jlim", "l": "kop", "z": "asx", "x": "zsdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm",
    "m": "njk",
}
INDUSTRY = [
    "Logistics", "Freight", "Components", "Packaging", "Plastics", "Metals", "Chemicals", "Textiles", "Software",
    "Consulting", "Office Supplies", "Cleaning Services", "Telecom", "Legal Partners", "Marketing",
    "Security Services", "Facilities", "Machinery", "Industrial Equipment", "Vehicles", "Construction",
    "IT Hardware", "Travel", "Hotels", "Airlines", "Car Rental",
    # not in the master at all
    "Catering", "Printing", "Staffing", "Furniture", "Solar", "Roofing", "Plumbing", "Upholstery", "Glassworks",
    "Brewing", "Dairy", "Optics", "Ceramics", "Timber", "Paints", "Recycling", "Couriers", "Pharma", "Robotics",
    # one or two letters from a master word, and another business
    "Motels", "Gravel", "Medals", "Elastics",
]
NEW_STEMS = [
    "Marigold", "Thornbury", "Ashcombe", "Bellweather", "Corran", "Dunholm", "Elmstead", "Fairhaven", "Gorsefield",
    "Hollins", "Ivybridge", "Kelso", "Lochmere", "Mossgiel", "Newhaven", "Orchardly", "Pennard", "Quenby",
    "Rathmore", "Saltcote", "Thistledown", "Underhill", "Vickery", "Whitmore", "Yelverton", "Zennor", "Braxton",
    "Dovecote", "Everly", "Hartfield", "Merrow", "Penrose", "Rookwood", "Sandford", "Tregaron", "Wyvern",
]
EXTRA_WORDS = ["Bay", "Ridge", "Valley", "Point", "Harbor", "Crown", "Star", "Peak", "Forge", "Bridge", "Mill"]
COUNTRY_WORDS = ["Deutschland", "Europe", "UK", "Nigeria", "India", "Nordic", "Iberia", "Polska", "Schweiz",
                 "International", "Global", "America"]


def fold(text):
    """Independent normalization for label checks: umlauts as ae/oe/ue, accents off, lower case, no legal words."""
    text = unicodedata.normalize("NFC", text)
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "ae"), ("Ö", "oe"), ("Ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace(".", "").replace("'", "")).split()
    return tuple(w for w in words if w not in LEGAL_WORDS)


def distance(a, b):
    """Optimal string alignment distance."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


MASTER_KEYS = {}
for v in MASTER:
    for n in [v["legal_name"], *v["aliases"]]:
        MASTER_KEYS.setdefault(fold(n), set()).add(v["vendor_id"])
MASTER_WORDS = {w for key in MASTER_KEYS for w in key}


def split_legal(name):
    """(base, legal form) of a master name."""
    for form in sorted(LEGAL, key=len, reverse=True):
        if name.endswith(" " + form):
            return name[: -len(form) - 1], form
    return name, ""


def join(base, legal):
    return f"{base} {legal}".strip()


def typo(word):
    """One keystroke error in a word: drop, double, neighbour key, or swap."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 2:
        return word
    i = rng.choice(letters)
    c = word[i]
    kind = rng.choice(["drop", "double", "neighbour", "swap"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + c + word[i:]
    if kind == "neighbour" and c.lower() in KEYBOARD:
        n = rng.choice(KEYBOARD[c.lower()])
        return word[:i] + (n.upper() if c.isupper() else n) + word[i + 1:]
    if i + 1 < len(word) and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + c + word[i + 2:]
    return word[:i] + word[i + 1:]


def typo_in(base, count=1):
    """`count` typos in distinct words, a word chosen in proportion to its letters (as keystrokes are)."""
    words = base.split(" ")
    chosen = set()
    for _ in range(count):
        weights = [0 if k in chosen else sum(c.isalpha() for c in w) for k, w in enumerate(words)]
        if not any(weights):
            break
        k = rng.choices(range(len(words)), weights)[0]
        chosen.add(k)
        words[k] = typo(words[k])
    return " ".join(words)


def accent(base):
    if any(ord(c) > 127 for c in base):
        # The master spells it with diacritics: the invoice drops them, or writes umlauts out.
        if rng.random() < 0.5:
            return "".join(c for c in unicodedata.normalize("NFKD", base) if not unicodedata.combining(c))
        return base.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("é", "e").replace("É", "E")
    spots = [i for i, c in enumerate(base) if c.lower() in ACCENTS]
    out = list(base)
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 1, 2]))):
        a = rng.choice(ACCENTS[base[i].lower()])
        out[i] = a.upper() if base[i].isupper() else a
    return "".join(out)


def reorder(base, legal):
    words = base.split(" ")
    if legal and rng.random() < 0.4:
        return f"{legal} {base}"  # legal form first, as some registers print it
    if len(words) >= 2:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        return join(" ".join(words), legal)
    return f"{legal}, {base}" if legal else base


def abbreviate(base):
    words = base.split(" ")
    spots = [i for i, w in enumerate(words) if w in ABBREVIATIONS]
    if not spots:
        return None
    i = rng.choice(spots)
    words[i] = rng.choice(ABBREVIATIONS[words[i]])
    return " ".join(words)


def drop_word(base):
    words = base.split(" ")
    filler = [i for i, w in enumerate(words) if w in DROPPABLE_FILLER]
    if filler:
        del words[rng.choice(filler)]
        return " ".join(words)
    for trade in TWO_WORD_TRADES:
        if base.endswith(" " + trade):
            first, second = trade.split(" ")
            kept = rng.choice([first, second])
            return base[: -len(trade)] + kept
    return None


def case_punct(name):
    return rng.choice([name.upper(), name.lower(), name.title(), name.replace(" ", "  "), name.replace(" ", ", ", 1)])


def variant(v, kind):
    base, legal = split_legal(v["legal_name"])
    legal_alt = rng.choice(LEGAL[legal]) if legal in LEGAL else legal
    if kind == "case_punct":
        return case_punct(v["legal_name"])
    if kind == "typo":
        return join(typo_in(base), legal)
    if kind == "two_typos":
        return join(typo_in(base, 2), legal_alt)
    if kind == "legal_form":
        return join(base, rng.choice([legal_alt, legal_alt, ""]))
    if kind == "diacritics":
        return join(accent(base), legal)
    if kind == "word_order":
        return reorder(base, legal)
    if kind == "abbreviation":
        short = abbreviate(base)
        return join(short, legal) if short else None
    if kind == "missing_word":
        short = drop_word(base)
        return join(short, legal) if short else None
    if kind == "typo_and_legal_form":
        return join(typo_in(base), legal_alt)
    if kind == "alias":
        return rng.choice(v["aliases"]) if v["aliases"] else None
    raise ValueError(kind)


KINDS = ["case_punct", "typo", "typo", "two_typos", "legal_form", "diacritics", "word_order", "abbreviation",
         "missing_word", "typo_and_legal_form", "alias"]


def known_queries():
    out = []
    for v in MASTER:
        for kind in rng.sample(KINDS, 2):
            name = variant(v, kind)
            if not name or name == v["legal_name"] and kind != "case_punct":
                continue
            # Honest labels: a variant that spells another vendor's name is not this vendor's.
            owners = MASTER_KEYS.get(fold(name), set())
            if owners and not owners <= same_name_ids(v):
                continue
            # Same name in several countries: the invoice's address tells them apart, so give it.
            shared = len(same_name_ids(v)) > 1 or sum(split_legal(x["legal_name"])[0] == base_of(v) for x in MASTER) > 1
            country = v["country"] if shared or rng.random() < 0.75 else None
            out.append({"name": name, "country": country, "expect": v["vendor_id"], "kind": kind})
    return out


def base_of(v):
    return split_legal(v["legal_name"])[0]


def same_name_ids(v):
    keys = {fold(n) for n in [v["legal_name"], *v["aliases"]]}
    return {x["vendor_id"] for x in MASTER if keys & {fold(n) for n in [x["legal_name"], *x["aliases"]]}}


def is_unknown(name):
    """True when no master name has the same words, or the same words up to a typo each."""
    key = fold(name)
    for master in MASTER_KEYS:
        if len(master) != len(key):
            continue
        if all(min(distance(w, m) for m in master) <= 2 for w in key) and all(
            min(distance(m, w) for w in key) <= 2 for m in master
        ):
            return False
    return True


def far_from_master(word):
    w = word.lower()
    return all(distance(w, m) >= 3 for m in MASTER_WORDS)


def unknown_queries():
    stems = {}
    for v in MASTER:
        base, _ = split_legal(v["legal_name"])
        first = base.split(" ")[0]
        stems.setdefault(first, set()).add(base[len(first) + 1:])
    stem_list = sorted(s for s in stems if s.isalpha() and len(s) > 2)
    new_stems = [s for s in NEW_STEMS if far_from_master(s)]
    out = []

    def add(name, kind, country=None):
        if is_unknown(name) and all(q["name"] != name for q in out):
            out.append({"name": name, "country": country, "expect": None, "kind": kind})

    def legal_of(country):
        forms = {"DE": ["GmbH", "AG"], "IE": ["DAC", "Ltd"], "US": ["LLC", "Inc."], "GB": ["Ltd", "PLC"],
                 "FR": ["SAS", "S.A."], "NL": ["B.V."], "SE": ["AB"], "PL": ["Sp. z o.o."], "IN": ["Pvt. Ltd."]}
        return rng.choice(forms[country])

    countries = ["DE", "IE", "US", "GB", "FR", "NL", "SE", "PL", "IN"]
    for _ in range(400):
        if len(out) >= 160:
            break
        kind = rng.choice(["same_first_other_industry", "same_first_other_industry", "other_first_same_industry",
                           "other_first_same_industry", "extra_word", "country_word", "two_master_words",
                           "same_first_other_industry_typo"])
        country = rng.choice(countries)
        legal = legal_of(country)
        v = rng.choice(MASTER)
        base, _ = split_legal(v["legal_name"])
        first = base.split(" ")[0]
        rest = base[len(first) + 1:]
        if first not in stems or not rest:
            continue
        if kind.startswith("same_first_other_industry"):
            trade = rng.choice([t for t in INDUSTRY if t not in stems[first]])
            stem = typo(first) if kind.endswith("typo") and len(first) >= 6 else first
            add(f"{stem} {trade} {legal}", kind, country if rng.random() < 0.5 else None)
        elif kind == "other_first_same_industry":
            add(f"{rng.choice(new_stems)} {rest} {legal}", kind, country if rng.random() < 0.5 else None)
        elif kind == "extra_word":
            add(f"{first} {rng.choice(EXTRA_WORDS)} {rest} {legal}", kind, v["country"] if rng.random() < 0.5 else None)
        elif kind == "country_word":
            word = rng.choice([w for w in COUNTRY_WORDS if w.lower() not in fold(base)])
            add(f"{base} {word} {legal}", kind, None)
        elif kind == "two_master_words":
            other = rng.choice(stem_list)
            if other != first:
                add(f"{first} {other} {rest} {legal}", kind, None)
    return out


def main():
    known = known_queries()
    unknown = unknown_queries()
    doc = {
        "generated_by": "tests/tools/generate_vendor_eval.py",
        "seed": 20261201,
        "master": "functions/vendor-enrichment/data/vendors.json",
        "known": len(known),
        "unknown": len(unknown),
        "queries": known + unknown,
    }
    print(json.dumps(doc, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
