"""The deliberate, documented data-quality faults of the sample database.

A data-readiness tool needs something to find.  The generator plants the faults below, and
only these: the clean part of the data has no NULL e-mail, no duplicate (name, e-mail), no
malformed e-mail, no amount outside ``[0, 1000]``, no date after 2030, no blank district or
postal code and no orphaned key.  The number of each fault grows with the scale (``base`` at
scale 1, never fewer than one) and the rows that carry them are chosen from the seed, so a
test can assert exact counts.

Orphaned keys: ``payment.rental_id`` points at rentals that do not exist.  That relationship is
kept as a logical, *undeclared* foreign key (see :mod:`dataready.sample.schema`), so every
engine accepts the orphans with its constraint checks left on and all other foreign keys stay
enforced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from dataready.sample.sizes import scaled


class FaultKind(StrEnum):
    """What is wrong with a faulty value."""

    NULL = "null"
    BLANK = "blank"
    DUPLICATE = "duplicate"
    MALFORMED = "malformed"
    OUT_OF_RANGE = "out_of_range"
    ORPHAN = "orphan"
    FUTURE_DATE = "future_date"


@dataclass(frozen=True, slots=True)
class Fault:
    """One kind of planted fault.

    Attributes:
        name: Stable identifier.
        table: Table holding the faulty rows.
        column: Faulty column (for duplicates, the columns that repeat, comma-separated).
        kind: What is wrong.
        base: Number of faulty rows at scale 1.
        description: What the fault looks like and how to detect it.
        below: For ``out_of_range``: the faulty values lie below this bound.
        above: For ``out_of_range``: the faulty values lie above this bound.
    """

    name: str
    table: str
    column: str
    kind: FaultKind
    base: int
    description: str
    below: float | None = None
    above: float | None = None

    def count(self, scale: float) -> int:
        """Number of rows carrying this fault at ``scale``."""
        return scaled(self.base, scale)


@dataclass(frozen=True, slots=True)
class FaultCount:
    """A fault and how many rows carry it in one generated sample."""

    fault: Fault
    count: int


CUSTOMER_EMAIL_NULL = Fault(
    "customer_email_null",
    "customer",
    "email",
    FaultKind.NULL,
    12,
    "customer.email IS NULL.",
)
CUSTOMER_EMAIL_MALFORMED = Fault(
    "customer_email_malformed",
    "customer",
    "email",
    FaultKind.MALFORMED,
    8,
    "customer.email is not an address: no domain ('john.smith@'), no at-sign "
    "('john.smith.example.com') or a doubled at-sign ('john.smith@@example.com').",
)
CUSTOMER_DUPLICATE = Fault(
    "customer_duplicate",
    "customer",
    "first_name,last_name,email",
    FaultKind.DUPLICATE,
    6,
    "A second customer row (own customer_id, store and address) repeats the first_name, "
    "last_name and email of another customer; each fault adds one duplicate pair.",
)
ADDRESS_PHONE_NULL = Fault(
    "address_phone_null",
    "address",
    "phone",
    FaultKind.NULL,
    10,
    "address.phone IS NULL.",
)
ADDRESS_DISTRICT_BLANK = Fault(
    "address_district_blank",
    "address",
    "district",
    FaultKind.BLANK,
    5,
    "address.district is the empty string ''.",
)
ADDRESS_POSTAL_CODE_BLANK = Fault(
    "address_postal_code_blank",
    "address",
    "postal_code",
    FaultKind.BLANK,
    4,
    "address.postal_code holds only spaces ('   ').",
)
PAYMENT_AMOUNT_NEGATIVE = Fault(
    "payment_amount_negative",
    "payment",
    "amount",
    FaultKind.OUT_OF_RANGE,
    10,
    "payment.amount < 0 (between -0.99 and -20.99).",
    below=0,
)
PAYMENT_AMOUNT_TOO_LARGE = Fault(
    "payment_amount_too_large",
    "payment",
    "amount",
    FaultKind.OUT_OF_RANGE,
    5,
    "payment.amount > 1000 (between 1000.01 and 99999.99).",
    above=1000,
)
PAYMENT_RENTAL_ORPHAN = Fault(
    "payment_rental_orphan",
    "payment",
    "rental_id",
    FaultKind.ORPHAN,
    12,
    "payment.rental_id names a rental that does not exist (above the largest rental_id); "
    "the relationship is not declared as a constraint.",
)
PAYMENT_DATE_FUTURE = Fault(
    "payment_date_future",
    "payment",
    "payment_date",
    FaultKind.FUTURE_DATE,
    7,
    "payment.payment_date lies in the future (years 2035-2039; the clean data spans 2005-2006).",
)

FAULTS: tuple[Fault, ...] = (
    CUSTOMER_EMAIL_NULL,
    CUSTOMER_EMAIL_MALFORMED,
    CUSTOMER_DUPLICATE,
    ADDRESS_PHONE_NULL,
    ADDRESS_DISTRICT_BLANK,
    ADDRESS_POSTAL_CODE_BLANK,
    PAYMENT_AMOUNT_NEGATIVE,
    PAYMENT_AMOUNT_TOO_LARGE,
    PAYMENT_RENTAL_ORPHAN,
    PAYMENT_DATE_FUTURE,
)


def list_faults() -> tuple[Fault, ...]:
    """Return every documented fault kind."""
    return FAULTS


def expected_faults(scale: float) -> tuple[FaultCount, ...]:
    """Return each documented fault with the number of rows carrying it at ``scale``."""
    return tuple(FaultCount(f, f.count(scale)) for f in FAULTS)


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Which rows of one table carry which fault.

    Attributes:
        rows: Faulty row id (the table's 1-based primary key) to its fault.
        sources: For duplicate faults, faulty row id to the id of the row it copies.
    """

    rows: dict[int, Fault]
    sources: dict[int, int]


def plan_faults(table: str, n_rows: int, *, scale: float, seed: int) -> FaultPlan:
    """Choose the rows of ``table`` that carry its faults, disjointly and from the seed.

    Args:
        table: Table name.
        n_rows: Rows the table gets (ids ``1..n_rows``).
        scale: Sample scale, which sets the fault counts.
        seed: Sample seed.

    Raises:
        ValueError: If the table is too small to hold its faults.
    """
    faults = [f for f in FAULTS if f.table == table]
    counts = [f.count(scale) for f in faults]
    n_sources = sum(c for f, c in zip(faults, counts, strict=True) if f.kind is FaultKind.DUPLICATE)
    needed = sum(counts) + n_sources
    if needed > n_rows:
        raise ValueError(f"{table} has {n_rows} rows, too few for {needed} faulty rows")
    rng = random.Random(f"{seed}:faults:{table}")
    chosen = rng.sample(range(1, n_rows + 1), needed)
    rows: dict[int, Fault] = {}
    sources: dict[int, int] = {}
    position = 0
    for fault, count in zip(faults, counts, strict=True):
        for row_id in chosen[position : position + count]:
            rows[row_id] = fault
        position += count
    duplicates = [r for r, f in rows.items() if f.kind is FaultKind.DUPLICATE]
    for row_id, source in zip(duplicates, chosen[position:], strict=True):
        sources[row_id] = source
    return FaultPlan(rows, sources)
