"""PII classification benchmark: a labelled set of generated columns, scored, and timed.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/classify.py [--seed 7] [--values 300] [--verbose]

Generates at least 500 labelled columns — Faker data in many locales (some of them not among
the locales the classifier's dictionaries are built from), checksum-valid identifiers from
python-stdnum and Luhn, and hard negatives (years, codes, flags, counts, keys, hashes, UUIDs,
titles, amounts) — under column names written the way schemas write them (prefixes, casing,
abbreviations; deliberately other spellings than the golden fixtures use).  Classifies them
and prints precision, recall and F1 per entity and for the sensitive class, false positives
on the hard negatives, and the time to classify 50 columns x 1,000 values.

Targets: sensitive-class precision >= 0.97 and recall >= 0.95; zero false positives on the
hard negatives; 50 x 1,000 values in under 1 s (no NER).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import string
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker
from stdnum import iban, verhoeff
from stdnum.es import dni
from stdnum.iso7064 import mod_11_10

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dataready.analysis.pii import ColumnEvidence, Entity, classify_column
from dataready.analysis.pii.dictionaries import NAME_LOCALES, dictionaries

# People and places from dictionary locales and from locales the dictionaries never saw.
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR"]
UNSEEN_LOCALES = ["fi_FI", "cs_CZ", "en_AU", "hu_HU", "ro_RO", "es_MX", "en_IE", "en_CA"]
GERMAN = Faker("de_DE")
PREFIXES = ["", "", "", "cust_", "customer_", "user_", "emp_", "contact_", "primary_", "billing_"]


@dataclass
class Column:
    name: str
    table: str
    family: str
    values: list[Any]
    label: Entity | None
    hard_negative: bool = False


def styled(base: str, r: random.Random) -> str:
    """Write a snake_case base name as schemas do: snake, camel, Pascal, UPPER, digits."""
    parts = base.split("_")
    style = r.choice(["snake", "snake", "camel", "pascal", "upper"])
    if style == "camel":
        name = parts[0] + "".join(p.capitalize() for p in parts[1:])
    elif style == "pascal":
        name = "".join(p.capitalize() for p in parts)
    elif style == "upper":
        name = base.upper()
    else:
        name = base
    return name + (r.choice(["1", "2", "_1"]) if r.random() < 0.08 else "")


# --- value generators -----------------------------------------------------------------------


def nino(r: random.Random) -> str:
    a = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
    if a in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        a = "AB"
    return a + "".join(r.choice(string.digits) for _ in range(6)) + r.choice("ABCD")


def de_idnr(r: random.Random) -> str:
    from stdnum.de import idnr

    while True:
        body = str(r.randint(1, 9)) + "".join(r.choice(string.digits) for _ in range(9))
        number = body + mod_11_10.calc_check_digit(body)
        if idnr.is_valid(number):
            return number


def es_dni(r: random.Random) -> str:
    body = f"{r.randint(0, 99_999_999):08d}"
    return body + dni.calc_check_digit(body)


def aadhaar(r: random.Random) -> str:
    body = str(r.randint(2, 9)) + "".join(r.choice(string.digits) for _ in range(10))
    return body + verhoeff.calc_check_digit(body)


def bcrypt_like(r: random.Random) -> str:
    return "$2a$10$" + "".join(
        r.choice("./" + string.ascii_letters + string.digits) for _ in range(53)
    )


def digest(r: random.Random, algo: str) -> str:
    return hashlib.new(algo, r.randbytes(16)).hexdigest()


def valid_iban(f: Faker) -> str:
    """An IBAN from ``f``'s locale when Faker makes valid ones there, else a German one.

    Faker's BBAN formats for some locales (en_IE, en_AU …) give IBANs of the wrong length:
    those are not IBANs, and labelling them as such would measure Faker, not the classifier.
    """
    for _ in range(3):
        candidate = f.iban()
        if iban.is_valid(candidate):
            return candidate
    return GERMAN.iban()


def sometimes_null(values: list[Any], r: random.Random) -> list[Any]:
    rate = r.choice([0.0, 0.0, 0.05, 0.2])
    return [None if r.random() < rate else v for v in values]


def embed(f: Faker, r: random.Random) -> str:
    kind = r.choice(["email", "phone", "card"])
    if kind == "email":
        return f"{f.sentence(nb_words=6)} Contact: {f.email()} {f.sentence(nb_words=4)}"
    if kind == "phone":
        number = f"+1 {r.randint(201, 989)}-{r.randint(201, 999)}-{r.randint(1000, 9999)}"
        return f"Customer called from {number}; {f.sentence(nb_words=5)}"
    card = f.credit_card_number(card_type="visa16")
    return f"Refund to card {card} requested. {f.sentence(nb_words=5)}"


ValueFn = Callable[[Faker, random.Random], Any]

# entity -> (name variants, value generator, type family)
POSITIVES: dict[Entity, tuple[list[str], ValueFn, str]] = {
    Entity.EMAIL: (
        [
            "email_address",
            "mail",
            "emailaddr",
            "contact_email",
            "primary_email",
            "email_id_text",
            "personal_email",
            "work_email_address",
            "notification_email",
            "e_mail_address",
        ],
        lambda f, r: f.email() if r.random() > 0.03 else "n/a",
        "string",
    ),
    Entity.PHONE: (
        [
            "phone",
            "home_phone",
            "work_phone",
            "mobile_phone_number",
            "tel_no",
            "telephone_number",
            "contact_phone",
            "cell_number",
            "phone_num",
            "mobile_no",
        ],
        lambda f, r: f.phone_number(),
        "string",
    ),
    Entity.PERSON_NAME: (
        [
            "full_name",
            "contact_name",
            "employee_name",
            "patient_name",
            "account_holder_name",
            "beneficiary_name",
            "recipient_name",
            "guest_name",
            "driver_name",
            "passenger_name",
        ],
        lambda f, r: f.name(),
        "string",
    ),
    Entity.FIRST_NAME: (
        ["first_name", "firstname", "fname", "given_name", "first_nm", "forename", "vorname"],
        lambda f, r: f.first_name(),
        "string",
    ),
    Entity.LAST_NAME: (
        ["last_name", "lastname", "surname", "family_name", "lname", "last_nm", "nachname"],
        lambda f, r: f.last_name(),
        "string",
    ),
    Entity.STREET_ADDRESS: (
        [
            "street_address",
            "address_line1",
            "addr_line_1",
            "address1",
            "residential_address",
            "mailing_address",
            "shipping_address",
            "street",
            "home_address",
            "addr",
        ],
        lambda f, r: f.street_address(),
        "string",
    ),
    Entity.CITY: (
        ["city", "city_name", "town", "home_city", "billing_city", "municipality", "locality"],
        lambda f, r: f.city(),
        "string",
    ),
    Entity.POSTAL_CODE: (
        ["postal_code", "zip", "zipcode", "post_code", "postcode", "zip5", "billing_zip"],
        lambda f, r: f.postcode(),
        "string",
    ),
    Entity.COUNTRY: (
        ["country", "country_name", "home_country", "nationality", "country_of_residence"],
        lambda f, r: f.country(),
        "string",
    ),
    Entity.DATE_OF_BIRTH: (
        ["date_of_birth", "dob", "birth_date", "birthdate", "birthday", "born_on"],
        lambda f, r: f.date_between_dates(dt.date(1930, 1, 1), dt.date(2008, 1, 1)),
        "date",
    ),
    Entity.GENDER: (
        ["gender", "sex", "gender_identity", "customer_gender", "sex_at_birth"],
        lambda f, r: r.choice(["M", "F", "male", "female", "Male", "Female"]),
        "string",
    ),
    Entity.CREDIT_CARD: (
        [
            "credit_card",
            "card_number",
            "cc_num",
            "credit_card_no",
            "payment_card_number",
            "pan",
            "card_no",
            "ccnumber_text",
        ],
        lambda f, r: f.credit_card_number(),
        "string",
    ),
    Entity.BANK_ACCOUNT: (
        ["iban", "bank_account_number", "iban_number", "account_iban", "bank_account"],
        lambda f, r: valid_iban(f),
        "string",
    ),
    Entity.IP_ADDRESS: (
        [
            "ip_address",
            "ip_addr",
            "client_ip_address",
            "remote_ip",
            "source_ip",
            "ipv4",
            "login_ip",
            "ip",
        ],
        lambda f, r: f.ipv4() if r.random() < 0.85 else f.ipv6(),
        "string",
    ),
    Entity.MAC_ADDRESS: (
        ["mac_address", "mac", "device_mac_address", "wifi_mac", "hw_mac"],
        lambda f, r: f.mac_address(),
        "string",
    ),
    Entity.GEO_COORDINATES: (
        ["latitude", "longitude", "lat", "lon", "gps_lat", "home_latitude", "geo_lng"],
        lambda f, r: float(f.latitude()),
        "float",
    ),
    Entity.USERNAME: (
        ["username", "user_name", "login_name", "screen_name", "user_login", "login", "handle"],
        lambda f, r: f.user_name(),
        "string",
    ),
    Entity.SECRET: (
        [
            "password",
            "password_hash",
            "hashed_password",
            "passwd",
            "pwd_hash",
            "api_key",
            "secret_key",
            "access_token",
            "user_password",
        ],
        lambda f, r: r.choice([bcrypt_like(r), digest(r, "sha256"), digest(r, "sha1")]),
        "string",
    ),
    Entity.PASSPORT: (
        ["passport_number", "passport_no", "passport", "passport_num"],
        lambda f, r: f.passport_number(),
        "string",
    ),
}

NATIONAL_IDS: list[tuple[str, Callable[[dict[str, Faker], random.Random], str]]] = [
    ("us_ssn", lambda fk, r: fk["en_US"].ssn()),
    ("ssn_no_dash", lambda fk, r: fk["en_US"].ssn().replace("-", "")),
    ("nino", lambda fk, r: nino(r)),
    ("de_idnr", lambda fk, r: de_idnr(r)),
    ("fr_nir", lambda fk, r: fk["fr_FR"].ssn()),
    ("es_dni", lambda fk, r: es_dni(r)),
    ("it_cf", lambda fk, r: fk["it_IT"].ssn()),
    ("nl_bsn", lambda fk, r: fk["nl_NL"].ssn()),
    ("in_aadhaar", lambda fk, r: aadhaar(r)),
    ("pl_pesel", lambda fk, r: fk["pl_PL"].pesel()),
    ("br_cpf", lambda fk, r: fk["pt_BR"].cpf()),
    ("se_pnr", lambda fk, r: fk["sv_SE"].ssn()),
    ("fi_hetu", lambda fk, r: fk["fi_FI"].ssn()),
]
NATIONAL_ID_NAMES = [
    "national_id",
    "ssn",
    "social_security_no",
    "tax_id",
    "national_id_number",
    "citizen_id",
    "government_id",
    "nin",
    "personal_number",
    "identity_number",
]


def hard_negatives(f: Faker, r: random.Random) -> list[tuple[str, str, str, Callable[[], Any]]]:
    """(name, table, family, value fn) for columns that must get no PII tag."""
    uid = lambda: str(uuid.UUID(int=r.getrandbits(128), version=4))  # noqa: E731
    out: list[tuple[str, str, str, Callable[[], Any]]] = []
    for thing in [
        "email",
        "phone",
        "address",
        "card",
        "ip",
        "login",
        "user",
        "device",
        "name",
        "passport",
        "account",
        "contact",
        "order",
        "session",
    ]:
        out += [
            (f"{thing}_count", "stats", "integer", lambda: r.randint(0, 2000)),
            (f"is_{thing}_verified", "users", "boolean", lambda: r.random() < 0.5),
            (f"{thing}_id", "facts", "integer", lambda: r.randint(1, 10**6)),
            (
                f"{thing}_type",
                "dims",
                "string",
                lambda: r.choice(["primary", "secondary", "other"]),
            ),
            (f"has_{thing}", "users", "integer", lambda: r.choice([0, 1])),
            (f"{thing}_hash", "users", "string", lambda: digest(r, "sha256")),
            (f"{thing}_uuid", "users", "string", uid),
            (
                f"{thing}_status",
                "dims",
                "string",
                lambda: r.choice(["active", "blocked", "pending"]),
            ),
            (f"{thing}_updated_at", "users", "timestamp", lambda: f.date_time_between("-2y")),
        ]
    out += [
        ("release_year", "movies", "integer", lambda: r.randint(1970, 2024)),
        ("fiscal_year", "ledger", "integer", lambda: r.randint(2000, 2025)),
        ("budget_year", "ledger", "string", lambda: str(r.randint(2000, 2025))),
        ("security_level", "docs", "integer", lambda: r.randint(1, 5)),
        ("access_code", "doors", "string", lambda: f"AC-{r.randint(100, 9999)}"),
        ("discount_code", "orders", "string", lambda: f"SAVE{r.randint(10, 50)}"),
        ("country_code", "orders", "string", lambda: f.country_code()),
        ("zip_code_type", "geo", "string", lambda: r.choice(["STANDARD", "PO BOX", "UNIQUE"])),
        ("region_code", "geo", "string", lambda: f"R{r.randint(10, 99)}"),
        ("item_code", "items", "string", lambda: f"SCN-{r.randint(100, 999)}"),
        ("order_reference", "orders", "string", lambda: str(r.randint(10**9, 10**10 - 1))),
        ("invoice_number", "invoices", "integer", lambda: r.randint(10**9, 10**10 - 1)),
        ("shipment_no", "shipments", "string", lambda: str(r.randint(10**11, 10**12 - 1))),
        ("movie_title", "movies", "string", lambda: f.catch_phrase().upper()),
        ("product_title", "items", "string", lambda: f.catch_phrase()),
        ("name", "products", "string", lambda: f.bs().title()),
        (
            "name",
            "genres",
            "string",
            lambda: r.choice(["Drama", "Comedy", "Horror", "Jazz", "Blues"]),
        ),
        ("brand_name", "items", "string", lambda: f.company()),
        ("ph_level", "lab", "float", lambda: round(r.uniform(0, 14), 2)),
        ("defect_count", "qa", "integer", lambda: r.randint(0, 40)),
        ("credit_limit", "accounts", "decimal", lambda: f"{r.randint(10, 300) * 100}.00"),
        ("credit_rating", "accounts", "string", lambda: r.choice(["AAA", "AA", "A", "BBB"])),
        ("unit_price", "items", "decimal", lambda: f"{r.randint(1, 500)}.{r.randint(0, 99):02d}"),
        ("duration_minutes", "calls", "integer", lambda: r.randint(1, 300)),
        ("pin_count", "boards", "integer", lambda: r.randint(0, 99)),
        ("row_checksum", "etl", "string", lambda: digest(r, "md5")),
        ("event_id", "events", "string", uid),
        ("created_at", "events", "timestamp", lambda: f.date_time_between("-5y")),
        ("shipped_date", "orders", "date", lambda: f.date_between("-3y")),
        (
            "app_version",
            "devices",
            "string",
            lambda: f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}",
        ),
        ("isbn", "books", "string", lambda: f.isbn13(separator="")),
        ("ean", "items", "string", lambda: f.ean13()),
        ("temperature_c", "sensors", "float", lambda: round(r.uniform(-30, 45), 4)),
        ("sensor_reading", "sensors", "float", lambda: round(r.uniform(-90, 90), 6)),
        ("color", "items", "string", lambda: f.color_name()),
        ("job_title", "hr", "string", lambda: f.job()),
        ("department", "hr", "string", lambda: r.choice(["Sales", "HR", "IT", "Ops"])),
        ("comment_count", "posts", "integer", lambda: r.randint(0, 999)),
        ("description", "items", "string", lambda: f.paragraph(nb_sentences=2)),
        ("weight_kg", "items", "decimal", lambda: f"{r.uniform(0.1, 90):.3f}"),
        ("store_no", "stores", "integer", lambda: r.randint(100, 9999)),
        ("currency", "orders", "string", lambda: f.currency_code()),
        ("language", "users", "string", lambda: f.language_name()),
        ("timezone", "users", "string", lambda: f.timezone()),
        ("url", "pages", "string", lambda: f.uri()),
        ("domain_name", "sites", "string", lambda: f.domain_name()),
        ("mime_type", "files", "string", lambda: f.mime_type()),
        ("file_name", "files", "string", lambda: f.file_name()),
    ]
    return out


def generate(seed: int, n_values: int) -> list[Column]:
    r = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in [*LOCALES, *UNSEEN_LOCALES, "pl_PL", "sv_SE"]}
    for i, f in enumerate(fakers.values()):
        f.seed_instance(seed + i)
    people_locales = LOCALES + UNSEEN_LOCALES
    columns: list[Column] = []
    for entity, (names, fn, family) in POSITIVES.items():
        for k in range(24):
            loc = people_locales[k % len(people_locales)]
            f = fakers[loc]
            base = r.choice(names)
            if entity in {Entity.EMAIL, Entity.PHONE, Entity.STREET_ADDRESS} and r.random() < 0.3:
                base = r.choice(PREFIXES) + base
            values = sometimes_null([fn(f, r) for _ in range(n_values)], r)
            fam = family
            if entity is Entity.GEO_COORDINATES and ("lon" in base or "lng" in base):
                values = [None if v is None else float(f.longitude()) for v in values]
            if entity is Entity.DATE_OF_BIRTH and r.random() < 0.4:
                values, fam = [None if v is None else v.isoformat() for v in values], "string"
            columns.append(
                Column(
                    styled(base, r), r.choice(["customer", "users", "people"]), fam, values, entity
                )
            )
    for k in range(26):
        _, fn_id = NATIONAL_IDS[k % len(NATIONAL_IDS)]
        base = r.choice(NATIONAL_ID_NAMES)
        values = sometimes_null([fn_id(fakers, r) for _ in range(n_values)], r)
        columns.append(Column(styled(base, r), "people", "string", values, Entity.NATIONAL_ID))
    f = fakers["en_US"]
    for _ in range(20):
        base = r.choice(["notes", "comments", "support_ticket_body", "agent_remarks", "message"])
        values = [
            embed(f, r) if r.random() < 0.25 else f.sentence(nb_words=12) for _ in range(n_values)
        ]
        columns.append(Column(styled(base, r), "tickets", "string", values, Entity.FREE_TEXT))
    for name, table, family, fn_neg in hard_negatives(f, r):
        values = [fn_neg() for _ in range(n_values)]
        columns.append(Column(name, table, family, values, None, hard_negative=True))
    return columns


# --- scoring --------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    rcl = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * rcl / (p + rcl) if p + rcl else 0.0
    return p, rcl, f1


def score(columns: list[Column], verbose: bool) -> bool:
    tp: Counter[Entity] = Counter()
    fp: Counter[Entity] = Counter()
    fn: Counter[Entity] = Counter()
    s_tp = s_fp = s_fn = 0
    hard_fp: list[str] = []
    for col in columns:
        result = classify_column(ColumnEvidence(col.name, col.table, "", col.family, col.values))
        got = result.top
        if got == col.label:
            if got is not None:
                tp[got] += 1
        else:
            if got is not None:
                fp[got] += 1
            if col.label is not None:
                fn[col.label] += 1
            if verbose:
                found = [(x.entity.value, x.confidence) for x in result.findings[:3]]
                print(f"  miss: {col.name!r} ({col.table}) label={col.label} got={got} {found}")
        truth = col.label is not None and col.label.sensitive
        if result.sensitive and truth:
            s_tp += 1
        elif result.sensitive:
            s_fp += 1
        elif truth:
            s_fn += 1
        if col.hard_negative and any(t.applied for t in result.tags()):
            hard_fp.append(col.name)
    print(f"{'entity':<16} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    for entity in Entity:
        n = tp[entity] + fn[entity]
        p, rcl, f1 = prf(tp[entity], fp[entity], fn[entity])
        print(f"{entity.value:<16} {n:>4} {p:>9.3f} {rcl:>7.3f} {f1:>6.3f}")
    p, rcl, f1 = prf(s_tp, s_fp, s_fn)
    n_sensitive = s_tp + s_fn
    print(f"\nsensitive class  n={n_sensitive}  precision={p:.3f}  recall={rcl:.3f}  F1={f1:.3f}")
    n_hard = sum(c.hard_negative for c in columns)
    print(f"hard negatives   n={n_hard}  false positives={len(hard_fp)} {hard_fp[:10]}")
    return p >= 0.97 and rcl >= 0.95 and not hard_fp


def timing(columns: list[Column], seed: int) -> float:
    """Seconds to classify 50 columns x 1,000 values (a mix of the labelled set)."""
    r = random.Random(seed)
    picked = r.sample(columns, 50)
    batch = []
    for col in picked:
        values = (col.values * (1000 // max(len(col.values), 1) + 1))[:1000]
        batch.append(ColumnEvidence(col.name, col.table, "", col.family, values))
    start = time.perf_counter()
    for evidence in batch:
        classify_column(evidence)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--values", type=int, default=300, help="sampled values per column")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    start = time.perf_counter()
    dictionaries()
    cold = time.perf_counter() - start
    columns = generate(args.seed, args.values)
    labels = Counter(c.label.value if c.label else "none" for c in columns)
    print(
        f"{len(columns)} labelled columns x {args.values} values; dictionaries from "
        f"{len(NAME_LOCALES)} locales (built in {cold:.2f} s); data also from unseen locales "
        f"{', '.join(UNSEEN_LOCALES)}"
    )
    print("labels:", dict(sorted(labels.items())), "\n")
    ok = score(columns, args.verbose)
    elapsed = timing(columns, args.seed)
    print(f"\nclassify 50 columns x 1,000 values: {elapsed:.3f} s (target < 1 s)")
    print("targets met" if ok and elapsed < 1.0 else "targets NOT met")


if __name__ == "__main__":
    main()
