"""How many rows each sample table gets at a given scale.

``scale=1`` reproduces the sizes of the original dvdrental database; the transactional and
customer-facing tables grow linearly with the scale, the small lookup tables (country,
language, category) stay fixed.  ``film_actor`` and ``inventory`` are drawn per film, so
their exact size is known only once the films are planned (see
:func:`~dataready.sample.plan.build_plan`); the figures here are their expected values.
"""

from __future__ import annotations

from dataready.errors import ConfigError

MIN_SCALE = 0.01
MAX_SCALE = 10_000.0

FIXED_ROWS: dict[str, int] = {"country": 109, "language": 6, "category": 16}

# Rows at scale 1, as in the original database.
BASE_ROWS: dict[str, int] = {
    "actor": 200,
    "city": 600,
    "customer": 599,
    "film": 1000,
    "rental": 16044,
    "payment": 16049,
    "store": 2,
}
# Mean rows per film of the tables drawn per film (film_actor 1..10, inventory 1..8 copies).
ACTORS_PER_FILM = (1, 10)
COPIES_PER_FILM = (1, 8)


def check_scale(scale: float) -> float:
    """Validate ``scale`` and return it as a float.

    Raises:
        ConfigError: If the scale is not a number between ``MIN_SCALE`` and ``MAX_SCALE``.
    """
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise ConfigError(f"scale must be a number, got {scale!r}", scale=repr(scale))
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ConfigError(
            f"scale must be between {MIN_SCALE} and {MAX_SCALE:g}, got {scale:g}; "
            "scale=1 gives the original sizes (16,049 payments), 62 about one million.",
            scale=scale,
        )
    return float(scale)


def scaled(base: int, scale: float, minimum: int = 1) -> int:
    """Return ``base * scale`` rounded, never below ``minimum``."""
    return max(minimum, round(base * scale))


def planned_rows(scale: float) -> dict[str, int]:
    """Rows per table at ``scale`` (exact except the expected film_actor and inventory sizes)."""
    scale = check_scale(scale)
    stores = scaled(BASE_ROWS["store"], scale, minimum=2)
    customers = scaled(BASE_ROWS["customer"], scale, minimum=6)
    films = scaled(BASE_ROWS["film"], scale)
    rows = dict(FIXED_ROWS)
    rows.update(
        actor=scaled(BASE_ROWS["actor"], scale, minimum=10),
        city=scaled(BASE_ROWS["city"], scale),
        customer=customers,
        film=films,
        store=stores,
        staff=stores,
        # One address per store, per staff member and per customer (603 at scale 1).
        address=customers + 2 * stores,
        film_category=films,
        film_actor=round(films * sum(ACTORS_PER_FILM) / 2),
        inventory=round(films * sum(COPIES_PER_FILM) / 2),
        rental=scaled(BASE_ROWS["rental"], scale, minimum=10),
        payment=scaled(BASE_ROWS["payment"], scale, minimum=10),
    )
    return rows
