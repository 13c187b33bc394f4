"""Dictionary-backed detectors: person names, street addresses, cities and countries.

Shapes come first (a name is one to four alphabetic words; an address has a house number and
a street word), then the dictionaries built from Faker's locale lists confirm them.  A shape
alone says little — ``Grace``, ``Hunter`` and ``Florence`` are words as well as names — so
these entities lean on name evidence; only full names whose first *and* last word are in the
dictionaries, and addresses with a number and a street word, can stand on their values.
"""

from __future__ import annotations

import re

from dataready.analysis.pii.detectors import ValueMatch, register_detector, tally
from dataready.analysis.pii.dictionaries import STREET_WORD_ENDINGS, dictionaries, fold
from dataready.analysis.pii.entities import Entity
from dataready.analysis.pii.evidence import SampleView
from dataready.analysis.pii.names import token_set

_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'\u2019.\-]*(?:['\u2019\-][^\W\d_]+)*\.?", re.UNICODE)
_TITLES = token_set("mr mrs ms miss dr prof sir herr frau mme mlle sr sra dott")
_SUFFIXES = token_set("jr sr ii iii iv phd md")
_PARTICLES = token_set("van von de der den da di del della la le du dos das ten ter bin al")


def _name_words(value: str) -> list[str] | None:
    """The words of a name-shaped value (titles and suffixes dropped), else ``None``."""
    if "," in value:  # "Smith, Mary"
        last, _, first = value.partition(",")
        value = f"{first.strip()} {last.strip()}"
    words = value.split()
    if not 1 <= len(words) <= 5 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return None
    words = [fold(w.rstrip(".")) for w in words]
    words = [w for w in words if w not in _TITLES and w not in _SUFFIXES]
    return words or None


@register_detector(Entity.PERSON_NAME)
def detect_full_name(sample: SampleView) -> ValueMatch:
    names = dictionaries()

    def check(value: str) -> tuple[bool, bool, bool]:
        words = _name_words(value)
        if words is None or not 2 <= len(words) <= 4:
            return False, False, False
        core = [w for w in words if w not in _PARTICLES]
        first_ok = core[0] in names.first_names
        last_ok = core[-1] in names.last_names or "-" in core[-1]
        return True, first_ok or last_ok, first_ok and last_ok and len(core) >= 2

    return tally(Entity.PERSON_NAME, "full-name", sample.checked, check, "name-dictionary")


@register_detector(Entity.FIRST_NAME)
def detect_first_name(sample: SampleView) -> ValueMatch:
    first = dictionaries().first_names

    def check(value: str) -> tuple[bool, bool, bool]:
        words = _name_words(value)
        if words is None or len(words) > 2:
            return False, False, False
        ok = words[0] in first
        return True, ok, ok and len(words) == 1

    return tally(Entity.FIRST_NAME, "given-name", sample.checked, check, "name-dictionary")


@register_detector(Entity.LAST_NAME)
def detect_last_name(sample: SampleView) -> ValueMatch:
    last = dictionaries().last_names

    def check(value: str) -> tuple[bool, bool, bool]:
        words = _name_words(value)
        if words is None:
            return False, False, False
        core = [w for w in words if w not in _PARTICLES]
        if len(core) != 1:
            return False, False, False
        ok = core[0] in last or all(p in last for p in core[0].split("-"))
        return True, ok, ok

    return tally(Entity.LAST_NAME, "family-name", sample.checked, check, "name-dictionary")


_HOUSE_FIRST = re.compile(r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,4})?,?\s+\S.*")
_HOUSE_LAST = re.compile(r"\S.*\s\d{1,5}[A-Za-z]?(?:[-/]\d{1,4})?\.?")
_PO_BOX = re.compile(r"(?:P\.?\s?O\.?\s?Box|Postfach|Apartado)\s+\d+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)


def _has_street_word(value: str) -> bool:
    words = dictionaries().street_words
    for raw in _WORD.findall(value):
        word = fold(raw).rstrip(".")
        if word in words or (len(word) > 5 and word.endswith(STREET_WORD_ENDINGS)):
            return True
    return False


@register_detector(Entity.STREET_ADDRESS)
def detect_street_address(sample: SampleView) -> ValueMatch:
    def check(value: str) -> tuple[bool, bool, bool]:
        if len(value) > 150:
            return False, False, False
        if _PO_BOX.fullmatch(value):
            return True, True, True
        line = value.split("\n")[0].split(",")[0] if "\n" in value else value
        numbered = bool(_HOUSE_FIRST.fullmatch(line) or _HOUSE_LAST.fullmatch(line))
        street = _has_street_word(line)
        words = len(line.split())
        ok = numbered and street and 2 <= words <= 12
        return numbered or street, ok, ok

    return tally(Entity.STREET_ADDRESS, "street-address", sample.checked, check, "street-words")


_PLACE = re.compile(
    r"[^\W\d_][^\W\d_ '\u2019.()\-]*(?:[ '\u2019.()\-]+[^\W\d_]+)*\)?\.?", re.UNICODE
)


@register_detector(Entity.CITY)
def detect_city(sample: SampleView) -> ValueMatch:
    cities = dictionaries().cities

    def check(value: str) -> tuple[bool, bool, bool]:
        if len(value) > 50 or len(value.split()) > 5 or _PLACE.fullmatch(value) is None:
            return False, False, False
        return True, fold(value) in cities, False

    return tally(Entity.CITY, "place-name", sample.checked, check, "city-dictionary")


@register_detector(Entity.COUNTRY)
def detect_country(sample: SampleView) -> ValueMatch:
    names = dictionaries()

    def check(value: str) -> tuple[bool, bool, bool]:
        folded = fold(value)
        if folded in names.countries:
            return True, True, True
        code = value.isupper() and 2 <= len(value) <= 3 and folded in names.country_codes
        return code, code, False

    return tally(Entity.COUNTRY, "country", sample.checked, check, "country-dictionary")
