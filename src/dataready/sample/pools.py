"""Pools of realistic values drawn once from Faker.

Faker is the slow part of synthetic data: one call costs microseconds.  The generator calls it
a few thousand times, here, to fill pools of names, places and words; the rows themselves are
then assembled from these pools with :class:`random.Random`, which keeps millions of rows
cheap and the output identical for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

# Fixed lookup values: the same sixteen categories and six languages as the original sample.
CATEGORIES: tuple[str, ...] = (
    "Action",
    "Animation",
    "Children",
    "Classics",
    "Comedy",
    "Documentary",
    "Drama",
    "Family",
    "Foreign",
    "Games",
    "Horror",
    "Music",
    "New",
    "Sci-Fi",
    "Sports",
    "Travel",
)
LANGUAGES: tuple[str, ...] = ("English", "Italian", "Japanese", "Mandarin", "French", "German")
COUNTRY_COUNT = 109
RATINGS: tuple[str, ...] = ("G", "PG", "PG-13", "R", "NC-17")
SPECIAL_FEATURES: tuple[str, ...] = (
    "Trailers",
    "Commentaries",
    "Deleted Scenes",
    "Behind the Scenes",
)
# Film descriptions follow the original sample's template ("A Epic Drama of a Feminist And a
# Mad Scientist who must Battle a Teacher in The Canadian Rockies").
ADJECTIVES: tuple[str, ...] = (
    "Epic",
    "Astounding",
    "Beautiful",
    "Boring",
    "Brilliant",
    "Emotional",
    "Fanciful",
    "Fateful",
    "Intrepid",
    "Insightful",
    "Lacklusture",
    "Taut",
    "Thoughtful",
    "Touching",
    "Unbelieveable",
    "Stunning",
)
GENRES: tuple[str, ...] = (
    "Drama",
    "Documentary",
    "Story",
    "Saga",
    "Tale",
    "Yarn",
    "Reflection",
    "Panorama",
    "Character Study",
    "Display",
)
VERBS: tuple[str, ...] = (
    "Battle",
    "Build",
    "Chase",
    "Confront",
    "Conquer",
    "Defeat",
    "Discover",
    "Find",
    "Fight",
    "Kill",
    "Meet",
    "Outgun",
    "Outrace",
    "Overcome",
    "Pursue",
    "Reach",
    "Redeem",
    "Sink",
    "Succumb",
    "Vanquish",
)


@dataclass(frozen=True, slots=True)
class Pools:
    """Value pools the row generators draw from."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    countries: tuple[str, ...]
    cities: tuple[str, ...]
    districts: tuple[str, ...]
    streets: tuple[str, ...]
    title_words: tuple[str, ...]
    characters: tuple[str, ...]
    places: tuple[str, ...]
    email_domains: tuple[str, ...]


def _unique(make: Callable[[], str], count: int, max_length: int) -> tuple[str, ...]:
    """Draw up to ``count`` distinct, non-blank values of at most ``max_length`` characters."""
    seen: dict[str, None] = {}
    attempts = 0
    while len(seen) < count and attempts < count * 20:
        attempts += 1
        value = make().strip()[:max_length].strip()
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


def build_pools(seed: int) -> Pools:
    """Fill the pools from a Faker instance seeded with ``seed`` (same seed, same pools)."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return Pools(
        first_names=_unique(fake.first_name, 400, 45),
        last_names=_unique(fake.last_name, 600, 45),
        countries=_unique(fake.country, COUNTRY_COUNT, 50),
        cities=_unique(fake.city, 2000, 50),
        districts=_unique(fake.state, 50, 20),
        streets=_unique(fake.street_name, 800, 40),
        title_words=_unique(lambda: fake.word().upper(), 500, 20),
        characters=_unique(lambda: fake.job().split(",")[0].title(), 200, 40),
        places=_unique(lambda: f"{fake.city()}, {fake.state()}", 100, 60),
        email_domains=_unique(fake.free_email_domain, 3, 30),
    )
