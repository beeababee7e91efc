#!/usr/bin/env python3
"""Generate benchmark seed data as CAP-style CSVs (deterministic).

    python3 bench/seed.py OUT_DIR [--notifications 10000] [--seed 20240611]

Writes into OUT_DIR (created if missing):
  bp.verification-Notifications.csv   ID;businessPartnerId;businessPartnerName;verificationStatus_code
  bp.verification-Addresses.csv       ID;notification_ID;businessPartnerId;addressId;country;cityName;
                                      streetName;postalCode;isModified
  bp.verification-StatusValues.csv    copied from db/data (the code list)

Same `;`-separated headers as db/data/*.csv, so both our service (BPVERIFY_DATA_DIR)
and CAP (db/data of a CAP copy) load them unchanged. Only the standard library is
used; the same --seed always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATUS_CSV = REPO / "db" / "data" / "bp.verification-StatusValues.csv"

# Weighted like a real work queue: most are new or in process.
STATUSES = [("N", 40), ("P", 30), ("V", 20), ("INV", 10)]

# Share of notifications per country (the partner's main address).
COUNTRY_WEIGHTS = {"DE": 30, "US": 25, "FR": 15, "GB": 12, "IT": 6, "ES": 5, "NL": 4, "CH": 3}

# country -> name stems, trades, legal forms, (city, postal code), streets, street format
COUNTRIES: dict[str, dict] = {
    "DE": {
        "stems": [
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
            "Schröder",
            "Neumann",
            "Braun",
            "Zimmermann",
            "Krüger",
            "Hartmann",
            "Lange",
            "Werner",
            "Krause",
            "Lehmann",
        ],
        "trades": [
            "Logistik",
            "Maschinenbau",
            "Elektrotechnik",
            "Handel",
            "Bau",
            "Software",
            "Metallwerke",
            "Verpackung",
            "Medizintechnik",
            "Autoteile",
            "Lebensmittel",
        ],
        "suffixes": ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K."],
        "cities": [
            ("Walldorf", "69190"),
            ("Berlin", "10117"),
            ("München", "80331"),
            ("Hamburg", "20095"),
            ("Köln", "50667"),
            ("Frankfurt am Main", "60311"),
            ("Stuttgart", "70173"),
            ("Düsseldorf", "40213"),
            ("Leipzig", "04109"),
            ("Dresden", "01067"),
            ("Nürnberg", "90402"),
            ("Hannover", "30159"),
            ("Mannheim", "68159"),
        ],
        "streets": [
            "Hauptstraße",
            "Bahnhofstraße",
            "Dorfstraße",
            "Schulstraße",
            "Gartenstraße",
            "Industriestraße",
            "Lindenallee",
            "Goethestraße",
            "Am Markt",
            "Dietmar-Hopp-Allee",
        ],
        "street_fmt": ["{street} {no}"],
    },
    "US": {
        "stems": [
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Martin",
            "Lee",
            "Harris",
            "Clark",
            "Lewis",
            "Walker",
            "Hall",
            "Allen",
            "Young",
            "King",
            "Wright",
        ],
        "trades": [
            "Logistics",
            "Manufacturing",
            "Electronics",
            "Supply",
            "Construction",
            "Software",
            "Steel",
            "Packaging",
            "Medical Devices",
            "Auto Parts",
            "Foods",
        ],
        "suffixes": ["Inc.", "LLC", "Corp.", "Co.", "Ltd."],
        "cities": [
            ("Palo Alto", "94304"),
            ("New York", "10001"),
            ("Chicago", "60601"),
            ("Houston", "77002"),
            ("Newtown Square", "19073"),
            ("Seattle", "98101"),
            ("Boston", "02108"),
            ("Austin", "78701"),
            ("Denver", "80202"),
            ("Atlanta", "30303"),
        ],
        "streets": [
            "Main St",
            "Oak Ave",
            "Hillview Ave",
            "Maple St",
            "Washington Blvd",
            "Park Ave",
            "Market St",
            "2nd St",
            "Elm St",
            "Lake Shore Dr",
        ],
        "street_fmt": ["{no} {street}"],
    },
    "FR": {
        "stems": [
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Richard",
            "Petit",
            "Durand",
            "Leroy",
            "Moreau",
            "Simon",
            "Laurent",
            "Lefebvre",
            "Michel",
            "Garcia",
            "Fournier",
        ],
        "trades": [
            "Logistique",
            "Industrie",
            "Électronique",
            "Distribution",
            "Bâtiment",
            "Informatique",
            "Métallurgie",
            "Emballage",
            "Santé",
            "Agroalimentaire",
        ],
        "suffixes": ["SA", "SARL", "SAS", "SNC"],
        "cities": [
            ("Paris", "75008"),
            ("Lyon", "69002"),
            ("Marseille", "13001"),
            ("Toulouse", "31000"),
            ("Nice", "06000"),
            ("Nantes", "44000"),
            ("Strasbourg", "67000"),
            ("Bordeaux", "33000"),
        ],
        "streets": [
            "Rue de la Paix",
            "Avenue des Champs-Élysées",
            "Rue Victor Hugo",
            "Boulevard Haussmann",
            "Rue de la République",
            "Place Bellecour",
            "Rue du Commerce",
        ],
        "street_fmt": ["{no} {street}"],
    },
    "GB": {
        "stems": [
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Johnson",
            "Davies",
            "Robinson",
            "Wright",
            "Thompson",
            "Evans",
            "Walker",
            "White",
            "Roberts",
            "Green",
        ],
        "trades": [
            "Logistics",
            "Engineering",
            "Electrics",
            "Trading",
            "Builders",
            "Software",
            "Steelworks",
            "Packaging",
            "Healthcare",
            "Motors",
            "Foods",
        ],
        "suffixes": ["Ltd", "PLC", "LLP", "& Sons Ltd"],
        "cities": [
            ("London", "EC1A 1BB"),
            ("Manchester", "M1 1AE"),
            ("Birmingham", "B1 1AA"),
            ("Leeds", "LS1 1UR"),
            ("Glasgow", "G1 1XQ"),
            ("Bristol", "BS1 4DJ"),
            ("Edinburgh", "EH1 1YZ"),
            ("Feltham", "TW14 8HD"),
        ],
        "streets": [
            "High Street",
            "Station Road",
            "Church Lane",
            "Victoria Road",
            "Green Lane",
            "Manor Road",
            "Park Road",
            "King Street",
        ],
        "street_fmt": ["{no} {street}"],
    },
    "IT": {
        "stems": [
            "Rossi",
            "Russo",
            "Ferrari",
            "Esposito",
            "Bianchi",
            "Romano",
            "Colombo",
            "Ricci",
            "Marino",
            "Greco",
            "Bruno",
            "Gallo",
        ],
        "trades": [
            "Logistica",
            "Meccanica",
            "Elettronica",
            "Commercio",
            "Costruzioni",
            "Software",
            "Acciai",
            "Imballaggi",
            "Alimentari",
        ],
        "suffixes": ["S.p.A.", "S.r.l.", "S.n.c."],
        "cities": [
            ("Milano", "20121"),
            ("Roma", "00184"),
            ("Torino", "10121"),
            ("Napoli", "80133"),
            ("Bologna", "40121"),
            ("Firenze", "50122"),
        ],
        "streets": ["Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante", "Piazza del Duomo"],
        "street_fmt": ["{street} {no}"],
    },
    "ES": {
        "stems": [
            "García",
            "Fernández",
            "González",
            "Rodríguez",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Martín",
            "Jiménez",
            "Ruiz",
        ],
        "trades": [
            "Logística",
            "Industrial",
            "Electrónica",
            "Comercial",
            "Construcciones",
            "Software",
            "Aceros",
            "Embalajes",
            "Alimentación",
        ],
        "suffixes": ["S.A.", "S.L.", "S.L.U."],
        "cities": [
            ("Madrid", "28013"),
            ("Barcelona", "08002"),
            ("Valencia", "46002"),
            ("Sevilla", "41001"),
            ("Bilbao", "48001"),
            ("Zaragoza", "50001"),
        ],
        "streets": ["Calle Mayor", "Gran Vía", "Calle de Alcalá", "Paseo de Gracia", "Avenida Diagonal"],
        "street_fmt": ["{street} {no}"],
    },
    "NL": {
        "stems": [
            "de Jong",
            "Jansen",
            "de Vries",
            "van den Berg",
            "van Dijk",
            "Bakker",
            "Janssen",
            "Visser",
            "Smit",
            "Meijer",
        ],
        "trades": [
            "Logistiek",
            "Techniek",
            "Elektro",
            "Handel",
            "Bouw",
            "Software",
            "Staal",
            "Verpakkingen",
            "Voeding",
        ],
        "suffixes": ["B.V.", "N.V.", "V.O.F."],
        "cities": [
            ("Amsterdam", "1012 JS"),
            ("Rotterdam", "3011 AD"),
            ("Den Haag", "2511 BT"),
            ("Utrecht", "3511 LX"),
            ("Eindhoven", "5611 AB"),
        ],
        "streets": ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenstraat", "Damrak"],
        "street_fmt": ["{street} {no}"],
    },
    "CH": {
        "stems": ["Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Schneider", "Meyer", "Steiner", "Fischer"],
        "trades": ["Logistik", "Maschinen", "Elektro", "Handel", "Bau", "Software", "Präzision", "Uhren", "Pharma"],
        "suffixes": ["AG", "GmbH", "SA", "Sàrl"],
        "cities": [
            ("Zürich", "8001"),
            ("Basel", "4051"),
            ("Bern", "3011"),
            ("Genève", "1204"),
            ("Luzern", "6003"),
            ("Lausanne", "1003"),
        ],
        "streets": ["Bahnhofstrasse", "Hauptstrasse", "Dorfstrasse", "Seestrasse", "Rue du Rhône"],
        "street_fmt": ["{street} {no}"],
    },
}

N_HEADER = ["ID", "businessPartnerId", "businessPartnerName", "verificationStatus_code"]
A_HEADER = [
    "ID",
    "notification_ID",
    "businessPartnerId",
    "addressId",
    "country",
    "cityName",
    "streetName",
    "postalCode",
    "isModified",
]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _company(rng: random.Random, c: dict) -> str:
    stems, trades, suffixes = c["stems"], c["trades"], c["suffixes"]
    form = rng.random()
    if form < 0.45:
        name = f"{rng.choice(stems)} {rng.choice(trades)} {rng.choice(suffixes)}"
    elif form < 0.75:
        name = f"{rng.choice(stems)} & {rng.choice(stems)} {rng.choice(suffixes)}"
    else:
        name = f"{rng.choice(trades)} {rng.choice(stems)} {rng.choice(suffixes)}"
    return name[:81]


def generate(out_dir: Path, count: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = [s for s, _ in STATUSES]
    code_weights = [w for _, w in STATUSES]
    countries = list(COUNTRIES)
    country_weights = [COUNTRY_WEIGHTS[c] for c in countries]

    # Unique 8-digit partner numbers in random order (so $orderby=businessPartnerId really sorts).
    partner_ids = rng.sample(range(10_000_000, 99_999_999), count)
    address_counter = 200_000

    n_rows: list[list[str]] = []
    a_rows: list[list[str]] = []
    for i in range(count):
        country = rng.choices(countries, country_weights)[0]
        c = COUNTRIES[country]
        nid = _uuid(rng)
        bp = str(partner_ids[i])
        n_rows.append([nid, bp, _company(rng, c), rng.choices(codes, code_weights)[0]])
        n_addr = 1 if rng.random() < 0.6 else 2
        for k in range(n_addr):
            # a second address is mostly in the same country, sometimes abroad
            ac = country if (k == 0 or rng.random() < 0.7) else rng.choices(countries, country_weights)[0]
            cc = COUNTRIES[ac]
            city, postal = rng.choice(cc["cities"])
            street = rng.choice(cc["street_fmt"]).format(street=rng.choice(cc["streets"]), no=rng.randint(1, 250))
            address_counter += 1
            a_rows.append(
                [
                    _uuid(rng),
                    nid,
                    bp,
                    str(address_counter),
                    ac,
                    city,
                    street[:60],
                    postal,
                    "true" if rng.random() < 0.05 else "false",
                ]
            )

    _write(out_dir / "bp.verification-Notifications.csv", N_HEADER, n_rows)
    _write(out_dir / "bp.verification-Addresses.csv", A_HEADER, a_rows)
    shutil.copyfile(STATUS_CSV, out_dir / "bp.verification-StatusValues.csv")
    return len(n_rows), len(a_rows)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args(argv)
    n, a = generate(args.out_dir, args.notifications, args.seed)
    print(f"wrote {n} notifications, {a} addresses to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
