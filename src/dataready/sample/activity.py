"""Streamed generation of the big tables: rental and payment.

Rentals are produced in chunks of :data:`~dataready.sample.plan.CHUNK_ROWS`; chunk ``c`` draws
from ``random.Random("<seed>:rental:<c>")`` alone, so any chunk can be rebuilt on its own.
Payment ``p`` settles rental ``p`` (payments past the last rental are second payments of the
first rentals), and the payment stream rebuilds the matching rental chunk to read its customer,
staff and dates instead of keeping a million rentals in memory.

Bulk columns use plain ``random.Random`` draws and integer arithmetic; amounts are shared,
cached ``Decimal`` objects.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from dataready.sample.faults import (
    PAYMENT_AMOUNT_NEGATIVE,
    PAYMENT_AMOUNT_TOO_LARGE,
    PAYMENT_DATE_FUTURE,
    PAYMENT_RENTAL_ORPHAN,
)
from dataready.sample.plan import (
    CHUNK_ROWS,
    FUTURE_SPAN,
    FUTURE_START,
    RENTAL_LAST_UPDATE,
    RENTAL_SPAN_SECONDS,
    RENTAL_START,
    SamplePlan,
)

Row = tuple[object, ...]
_DAY = 86_400
_NOT_RETURNED = -1
# Share of rentals never returned (183 of 16,044 in the original sample).
_OPEN_RENTAL_RATE = 0.0114


@lru_cache(maxsize=4096)
def _amount(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _at(seconds: int) -> datetime:
    return RENTAL_START + timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class RentalChunk:
    """The columns of one chunk of rentals, as offsets into the rental timeline.

    Attributes:
        first_id: rental_id of the first row.
        inventory: inventory_id per row.
        customer: customer_id per row.
        rented: Seconds from the timeline start to rental_date.
        returned: Seconds to return_date, or -1 when the item was never returned.
        staff: staff_id per row.
    """

    first_id: int
    inventory: list[int]
    customer: list[int]
    rented: list[int]
    returned: list[int]
    staff: list[int]


def rental_chunk(plan: SamplePlan, chunk: int) -> RentalChunk:
    """Build rental chunk ``chunk`` (rows ``chunk * CHUNK_ROWS + 1`` onwards)."""
    n_rental = plan.rows["rental"]
    first_id = chunk * CHUNK_ROWS + 1
    last_id = min(n_rental, first_id + CHUNK_ROWS - 1)
    rnd = random.Random(f"{plan.seed}:rental:{chunk}").random
    n_inventory, n_customer = plan.rows["inventory"], plan.rows["customer"]
    inv_store = plan.inventory_store
    step = RENTAL_SPAN_SECONDS / n_rental
    inventory, customer, rented, returned, staff = [], [], [], [], []
    for rental_id in range(first_id, last_id + 1):
        item = int(rnd() * n_inventory)
        # Rental ids follow the calendar: row i falls in the i-th slice of the timeline.
        start = int((rental_id - 1 + rnd()) * step)
        inventory.append(item + 1)
        customer.append(int(rnd() * n_customer) + 1)
        rented.append(start)
        if rnd() < _OPEN_RENTAL_RATE:
            returned.append(_NOT_RETURNED)
        else:
            returned.append(start + 3600 + int(rnd() * 10 * _DAY))
        staff.append(inv_store[item])
    return RentalChunk(first_id, inventory, customer, rented, returned, staff)


def rental_rows(plan: SamplePlan) -> Iterator[Row]:
    """Yield every rental row in id order."""
    n_chunks = -(-plan.rows["rental"] // CHUNK_ROWS)
    for chunk in range(n_chunks):
        c = rental_chunk(plan, chunk)
        for i, (item, customer, rented, returned, staff) in enumerate(
            zip(c.inventory, c.customer, c.rented, c.returned, c.staff, strict=True)
        ):
            yield (
                c.first_id + i,
                _at(rented),
                item,
                customer,
                None if returned == _NOT_RETURNED else _at(returned),
                staff,
                RENTAL_LAST_UPDATE,
            )


def _faulty_payment(row: Row, fault_name: str, payment_id: int, n_rental: int) -> Row:
    """Return ``row`` with the fault ``fault_name`` planted; values derive from the id."""
    pid, customer, staff, rental_id, amount, paid = row
    spread = payment_id * 7919
    if fault_name == PAYMENT_AMOUNT_NEGATIVE.name:
        amount = _amount(-(99 + spread % 2000))
    elif fault_name == PAYMENT_AMOUNT_TOO_LARGE.name:
        amount = _amount(100_001 + spread % 9_899_999)
    elif fault_name == PAYMENT_RENTAL_ORPHAN.name:
        rental_id = n_rental + 1 + spread % 100_000
    elif fault_name == PAYMENT_DATE_FUTURE.name:
        paid = FUTURE_START + timedelta(seconds=spread % int(FUTURE_SPAN.total_seconds()))
    return (pid, customer, staff, rental_id, amount, paid)


def payment_rows(plan: SamplePlan) -> Iterator[Row]:
    """Yield every payment row in id order; carries the payment faults."""
    n_rental, n_payment = plan.rows["rental"], plan.rows["payment"]
    rate, duration = plan.film_rate_cents, plan.film_duration
    inv_film = plan.inventory_film
    faults = {pid: f.name for pid, f in plan.fault_plan("payment").rows.items()}
    chunk_index, chunk = 0, rental_chunk(plan, 0)
    for payment_id in range(1, n_payment + 1):
        rental_id = payment_id if payment_id <= n_rental else payment_id - n_rental
        wanted = (rental_id - 1) // CHUNK_ROWS
        if wanted != chunk_index:
            chunk_index, chunk = wanted, rental_chunk(plan, wanted)
        i = rental_id - chunk.first_id
        film = inv_film[chunk.inventory[i] - 1] - 1
        rented, returned = chunk.rented[i], chunk.returned[i]
        cost = rate[film]
        if returned != _NOT_RETURNED:
            late_days = -(-(returned - rented) // _DAY) - duration[film]
            if late_days > 0:
                cost += 100 * late_days
        row: Row = (
            payment_id,
            chunk.customer[i],
            chunk.staff[i],
            rental_id,
            _amount(cost),
            _at(rented + 60 + payment_id % 3000),
        )
        fault_name = faults.get(payment_id)
        if fault_name is not None:
            row = _faulty_payment(row, fault_name, payment_id, n_rental)
        yield row
