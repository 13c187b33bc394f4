"""Offline dictionaries of first names, last names, cities, countries and street words.

Built lazily (once per process) from Faker's locale providers, which ship as plain Python
lists: no download, no network.  Lookups are case- and accent-insensitive (``MARY``,
``Mary`` and ``mary`` are one name; ``Zürich`` matches ``Zurich``).
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

# Locales whose person and address providers feed the dictionaries.
NAME_LOCALES: tuple[str, ...] = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pt_PT",
    "pl_PL",
    "sv_SE",
    "da_DK",
)
# Street words Faker does not list but addresses use, in short and long form.
EXTRA_STREET_WORDS = (
    "st street ave avenue rd road blvd boulevard ln lane dr drive ct court pl place pkwy "
    "parkway hwy highway ter terrace cir circle sq square trl trail way loop manor row close "
    "crescent cres mews walk gardens grove hill park rue chemin allee calle avenida paseo "
    "camino via viale piazza corso vicolo strada rua travessa praca ul ulica aleja "
    "straat laan weg plein gracht kade singel dijk pad strasse str gasse platz ring damm ufer"
)
# Endings of one-word street names (Hauptstraße, Kerkstraat, Bahnhofweg, Marktplatz).
STREET_WORD_ENDINGS: tuple[str, ...] = (
    "straße",
    "strasse",
    "str.",
    "weg",
    "platz",
    "allee",
    "gasse",
    "damm",
    "straat",
    "laan",
    "plein",
    "gracht",
    "kade",
    "singel",
    "dijk",
    "vej",
    "gatan",
    "vägen",
    "gade",
)


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for every dictionary lookup."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _words(values: Any) -> Iterable[str]:
    if not values:
        return ()
    if isinstance(values, dict):
        values = values.keys()
    return (fold(str(v)) for v in values if isinstance(v, str) and v.strip())


def _provider(kind: str, locale: str) -> Any:
    try:
        return importlib.import_module(f"faker.providers.{kind}.{locale}").Provider
    except ImportError:  # a Faker release without this locale: the others still serve
        return None


@dataclass(frozen=True)
class Dictionaries:
    """The folded word sets."""

    first_names: frozenset[str]
    last_names: frozenset[str]
    cities: frozenset[str]
    countries: frozenset[str]
    country_codes: frozenset[str]
    street_words: frozenset[str]


@cache
def dictionaries() -> Dictionaries:
    """Build (once) and return the dictionaries."""
    first: set[str] = set()
    last: set[str] = set()
    cities: set[str] = set()
    countries: set[str] = set()
    codes: set[str] = set()
    street: set[str] = set(EXTRA_STREET_WORDS.split())
    for locale in NAME_LOCALES:
        person = _provider("person", locale)
        if person is not None:
            for attr in ("first_names", "first_names_male", "first_names_female"):
                first.update(_words(getattr(person, attr, None)))
            last.update(_words(getattr(person, "last_names", None)))
        address = _provider("address", locale)
        if address is not None:
            cities.update(_words(getattr(address, "cities", None)))
            countries.update(_words(getattr(address, "countries", None)))
            codes.update(_words(getattr(address, "alpha_2_country_codes", None)))
            codes.update(_words(getattr(address, "alpha_3_country_codes", None)))
            for attr in (
                "street_suffixes",
                "street_suffixes_long",
                "street_suffixes_short",
                "street_prefixes",
            ):
                street.update(w.rstrip(".") for w in _words(getattr(address, attr, None)))
    geo = importlib.import_module("faker.providers.geo").Provider
    cities.update(fold(place[2]) for place in geo.land_coords)
    street.discard("street")  # en_US lists the literal word; keep it (re-added below)
    street.add("street")
    return Dictionaries(
        first_names=frozenset(w for w in first if len(w) > 1),
        last_names=frozenset(w for w in last if len(w) > 1),
        cities=frozenset(cities),
        countries=frozenset(countries),
        country_codes=frozenset(codes),
        street_words=frozenset(w for w in street if len(w) > 1),
    )
