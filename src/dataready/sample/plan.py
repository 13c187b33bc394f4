"""The plan of one sample: exact row counts and the facts the big tables depend on.

Building the plan draws, per film, its rental rate and duration, its number of actors and its
copies (and so the inventory), and chooses the faulty rows.  Everything it holds is
dimension-sized (a few hundred thousand small integers at a million payments), so the
rental and payment streams can be generated chunk by chunk without keeping any of their rows.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dataready.sample.faults import FaultPlan, plan_faults
from dataready.sample.pools import Pools, build_pools
from dataready.sample.sizes import ACTORS_PER_FILM, COPIES_PER_FILM, check_scale, planned_rows

# The clean timeline of the original sample: rentals from 24 May 2005 to 14 February 2006.
RENTAL_START = datetime(2005, 5, 24, 22, 53, 30)
RENTAL_SPAN_SECONDS = int((datetime(2006, 2, 14, 15, 16, 3) - RENTAL_START).total_seconds())
CUSTOMER_CREATED = date(2006, 2, 14)
LAST_UPDATE = datetime(2006, 2, 15, 9, 57, 20)
RENTAL_LAST_UPDATE = datetime(2006, 2, 16, 2, 30, 53)
FUTURE_START = datetime(2035, 1, 1)
FUTURE_SPAN = timedelta(days=5 * 365)

RENTAL_RATES_CENTS = (99, 299, 499)
# Rows per generated chunk of rental/payment.  The chunk index seeds the chunk's random
# stream, so changing this changes the data: it is part of the format, not a tuning knob.
CHUNK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class SamplePlan:
    """Counts, pools, per-film facts and fault rows of one sample.

    Attributes:
        seed: Sample seed.
        scale: Sample scale.
        rows: Exact rows per table.
        pools: Faker value pools.
        film_rate_cents: Rental rate of film ``i + 1`` in cents.
        film_duration: Rental duration (days) of film ``i + 1``.
        film_actor_counts: Number of actors of film ``i + 1``.
        inventory_film: Film id of inventory item ``i + 1``.
        inventory_store: Store id of inventory item ``i + 1``.
        faults: Fault rows per table that has faults.
    """

    seed: int
    scale: float
    rows: dict[str, int]
    pools: Pools
    film_rate_cents: array[int]
    film_duration: array[int]
    film_actor_counts: array[int]
    inventory_film: array[int]
    inventory_store: array[int]
    faults: dict[str, FaultPlan]

    def fault_plan(self, table: str) -> FaultPlan:
        """Return the fault rows of ``table`` (empty when it has none)."""
        return self.faults.get(table, FaultPlan({}, {}))


def build_plan(*, scale: float, seed: int) -> SamplePlan:
    """Plan a sample of ``scale`` from ``seed``; the same arguments give the same plan."""
    scale = check_scale(scale)
    rows = planned_rows(scale)
    n_film, n_store = rows["film"], rows["store"]
    rng = random.Random(f"{seed}:films")
    rate = array("H")
    duration = array("B")
    actors = array("B")
    inv_film = array("I")
    inv_store = array("H")
    for film_id in range(1, n_film + 1):
        rate.append(rng.choice(RENTAL_RATES_CENTS))
        duration.append(rng.randint(3, 7))
        actors.append(rng.randint(*ACTORS_PER_FILM))
        for _ in range(rng.randint(*COPIES_PER_FILM)):
            inv_film.append(film_id)
            inv_store.append(int(rng.random() * n_store) + 1)
    rows["film_actor"] = sum(actors)
    rows["inventory"] = len(inv_film)
    faults = {
        table: plan_faults(table, rows[table], scale=scale, seed=seed)
        for table in ("customer", "address", "payment")
    }
    return SamplePlan(
        seed=seed,
        scale=scale,
        rows=rows,
        pools=build_pools(seed),
        film_rate_cents=rate,
        film_duration=duration,
        film_actor_counts=actors,
        inventory_film=inv_film,
        inventory_store=inv_store,
        faults=faults,
    )
