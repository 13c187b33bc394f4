"""Row generators of the dimension tables (everything except rental and payment).

Each generator takes the :class:`~dataready.sample.plan.SamplePlan` and yields rows as tuples
in the column order of :mod:`dataready.sample.schema`.  Each table draws from its own
``random.Random`` seeded with ``"<seed>:<table>"``, so a table's rows do not depend on which
other tables were generated before it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from dataready.sample.faults import (
    ADDRESS_DISTRICT_BLANK,
    ADDRESS_PHONE_NULL,
    ADDRESS_POSTAL_CODE_BLANK,
    CUSTOMER_DUPLICATE,
    CUSTOMER_EMAIL_MALFORMED,
    CUSTOMER_EMAIL_NULL,
)
from dataready.sample.plan import CUSTOMER_CREATED, LAST_UPDATE, SamplePlan
from dataready.sample.pools import (
    ADJECTIVES,
    CATEGORIES,
    GENRES,
    LANGUAGES,
    RATINGS,
    SPECIAL_FEATURES,
    VERBS,
)

Row = tuple[object, ...]
RowGenerator = Callable[[SamplePlan], Iterator[Row]]

_NOT_LETTERS = re.compile(r"[^a-z]")


def cents(value: int) -> Decimal:
    """Return ``value`` cents as a two-place Decimal (499 -> Decimal('4.99'))."""
    return Decimal(value).scaleb(-2)


def _rng(plan: SamplePlan, table: str) -> random.Random:
    return random.Random(f"{plan.seed}:{table}")


def country_rows(plan: SamplePlan) -> Iterator[Row]:
    """Countries: the fixed pool of Faker country names."""
    countries = plan.pools.countries
    for i in range(plan.rows["country"]):
        yield (i + 1, countries[i % len(countries)], LAST_UPDATE)


def city_rows(plan: SamplePlan) -> Iterator[Row]:
    """Cities, each in a random country."""
    rng = _rng(plan, "city")
    cities, n_country = plan.pools.cities, plan.rows["country"]
    for city_id in range(1, plan.rows["city"] + 1):
        yield (city_id, rng.choice(cities), rng.randint(1, n_country), LAST_UPDATE)


def address_rows(plan: SamplePlan) -> Iterator[Row]:
    """Addresses: stores first, then staff, then customers; carries the address faults."""
    rng = _rng(plan, "address")
    pools, n_city = plan.pools, plan.rows["city"]
    faults = plan.fault_plan("address").rows
    for address_id in range(1, plan.rows["address"] + 1):
        street = f"{rng.randint(1, 1999)} {rng.choice(pools.streets)}"
        district: str = rng.choice(pools.districts)
        postal_code: str | None = f"{rng.randint(1000, 99999):05d}"
        phone: str | None = str(rng.randint(10**8, 10**12 - 1))
        city_id = rng.randint(1, n_city)
        fault = faults.get(address_id)
        if fault is ADDRESS_PHONE_NULL:
            phone = None
        elif fault is ADDRESS_DISTRICT_BLANK:
            district = ""
        elif fault is ADDRESS_POSTAL_CODE_BLANK:
            postal_code = "   "
        yield (address_id, street, None, district, city_id, postal_code, phone, LAST_UPDATE)


def language_rows(plan: SamplePlan) -> Iterator[Row]:
    """The six fixed languages."""
    for i, name in enumerate(LANGUAGES[: plan.rows["language"]], start=1):
        yield (i, name, LAST_UPDATE)


def category_rows(plan: SamplePlan) -> Iterator[Row]:
    """The sixteen fixed categories."""
    for i, name in enumerate(CATEGORIES[: plan.rows["category"]], start=1):
        yield (i, name, LAST_UPDATE)


def actor_rows(plan: SamplePlan) -> Iterator[Row]:
    """Actors with names from the Faker pools, upper-case as in the original sample."""
    rng = _rng(plan, "actor")
    first, last = plan.pools.first_names, plan.pools.last_names
    for actor_id in range(1, plan.rows["actor"] + 1):
        yield (actor_id, rng.choice(first).upper(), rng.choice(last).upper(), LAST_UPDATE)


def _film_title(rng: random.Random, words: tuple[str, ...], seen: set[str], film_id: int) -> str:
    for _ in range(5):
        title = f"{rng.choice(words)} {rng.choice(words)}"
        if title not in seen:
            break
    else:
        title = f"{title} {film_id}"
    seen.add(title)
    return title


def film_rows(plan: SamplePlan) -> Iterator[Row]:
    """Films: unique two-word titles and template descriptions, as in the original sample."""
    rng = _rng(plan, "film")
    pools, n_language = plan.pools, plan.rows["language"]
    seen: set[str] = set()
    for i in range(plan.rows["film"]):
        film_id = i + 1
        title = _film_title(rng, pools.title_words, seen, film_id)
        description = (
            f"A {rng.choice(ADJECTIVES)} {rng.choice(GENRES)} of a {rng.choice(pools.characters)}"
            f" And a {rng.choice(pools.characters)} who must {rng.choice(VERBS)}"
            f" a {rng.choice(pools.characters)} in {rng.choice(pools.places)}"
        )
        language_id = 1 if rng.random() < 0.85 else rng.randint(1, n_language)
        original = rng.randint(1, n_language) if rng.random() < 0.1 else None
        features = ",".join(f for f in SPECIAL_FEATURES if rng.random() < 0.45) or None
        yield (
            film_id,
            title,
            description,
            rng.randint(1983, 2006),
            language_id,
            original,
            plan.film_duration[i],
            cents(plan.film_rate_cents[i]),
            rng.randint(46, 185),
            cents(rng.randint(9, 29) * 100 + 99),
            rng.choice(RATINGS),
            LAST_UPDATE,
            features,
        )


def film_actor_rows(plan: SamplePlan) -> Iterator[Row]:
    """Cast lists: each film's planned number of distinct actors."""
    rng = _rng(plan, "film_actor")
    actor_ids = range(1, plan.rows["actor"] + 1)
    for i, count in enumerate(plan.film_actor_counts):
        for actor_id in sorted(rng.sample(actor_ids, count)):
            yield (actor_id, i + 1, LAST_UPDATE)


def film_category_rows(plan: SamplePlan) -> Iterator[Row]:
    """One category per film."""
    rng = _rng(plan, "film_category")
    n_category = plan.rows["category"]
    for film_id in range(1, plan.rows["film"] + 1):
        yield (film_id, rng.randint(1, n_category), LAST_UPDATE)


def _email_local(first: str, last: str) -> str:
    local = f"{_NOT_LETTERS.sub('', first.lower())}.{_NOT_LETTERS.sub('', last.lower())}"
    return local[:30]


def staff_rows(plan: SamplePlan) -> Iterator[Row]:
    """One staff member per store, who manages it; addresses follow the stores'."""
    rng = _rng(plan, "staff")
    first, last = plan.pools.first_names, plan.pools.last_names
    n_store = plan.rows["store"]
    for staff_id in range(1, plan.rows["staff"] + 1):
        first_name, last_name = rng.choice(first), rng.choice(last)
        local = _email_local(first_name, last_name)
        yield (
            staff_id,
            first_name,
            last_name,
            n_store + staff_id,
            f"{local}{staff_id}@sakilastaff.com",
            staff_id,
            True,
            f"{local.split('.')[0][:10]}{staff_id}"[:16],
            f"{rng.getrandbits(160):040x}",
            LAST_UPDATE,
            None,
        )


def store_rows(plan: SamplePlan) -> Iterator[Row]:
    """Stores, each managed by the staff member with the same id."""
    for store_id in range(1, plan.rows["store"] + 1):
        yield (store_id, store_id, store_id, LAST_UPDATE)


def _malformed_email(local: str, domain: str, variant: int) -> str:
    if variant == 0:
        return f"{local}@"
    if variant == 1:
        return f"{local}.{domain}"
    return f"{local}@@{domain}"


def customer_rows(plan: SamplePlan) -> Iterator[Row]:
    """Customers with unique e-mails; carries the e-mail and duplicate-customer faults."""
    rng = _rng(plan, "customer")
    pools = plan.pools
    n_customer, n_store = plan.rows["customer"], plan.rows["store"]
    fault_plan = plan.fault_plan("customer")
    people: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for _ in range(n_customer):
        first_name, last_name = rng.choice(pools.first_names), rng.choice(pools.last_names)
        local, domain = _email_local(first_name, last_name), rng.choice(pools.email_domains)
        email, suffix = f"{local}@{domain}", 1
        while email in taken:
            suffix += 1
            email = f"{local}{suffix}@{domain}"
        taken.add(email)
        people.append((first_name, last_name, email))
    malformed = 0
    for i, (first_name, last_name, email) in enumerate(people):
        customer_id = i + 1
        fault = fault_plan.rows.get(customer_id)
        out_email: str | None = email
        if fault is CUSTOMER_EMAIL_NULL:
            out_email = None
        elif fault is CUSTOMER_EMAIL_MALFORMED:
            local, _, domain = email.partition("@")
            out_email = _malformed_email(local, domain, malformed % 3)
            malformed += 1
        elif fault is CUSTOMER_DUPLICATE:
            first_name, last_name, out_email = people[fault_plan.sources[customer_id] - 1]
        yield (
            customer_id,
            rng.randint(1, n_store),
            first_name,
            last_name,
            out_email,
            2 * n_store + customer_id,
            True,
            CUSTOMER_CREATED,
            LAST_UPDATE,
            0 if rng.random() < 0.025 else 1,
        )


def inventory_rows(plan: SamplePlan) -> Iterator[Row]:
    """Inventory items as planned per film."""
    for i, (film_id, store_id) in enumerate(
        zip(plan.inventory_film, plan.inventory_store, strict=True)
    ):
        yield (i + 1, film_id, store_id, LAST_UPDATE)


DIMENSION_GENERATORS: dict[str, RowGenerator] = {
    "country": country_rows,
    "city": city_rows,
    "address": address_rows,
    "language": language_rows,
    "category": category_rows,
    "actor": actor_rows,
    "film": film_rows,
    "film_actor": film_actor_rows,
    "film_category": film_category_rows,
    "staff": staff_rows,
    "store": store_rows,
    "customer": customer_rows,
    "inventory": inventory_rows,
}
