"""Optional: Microsoft Presidio's NER for free-text columns, behind one gateway.

dataready's classifier never needs Presidio: names, patterns, validators and dictionaries do
the work offline.  When ``dataready[presidio]`` is installed *and* a spaCy model is present,
a caller may add Presidio's entity counts as one more signal for free-text columns (never as
the only one).  Everything Presidio-specific is imported here and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from dataready.errors import MissingExtra

# Presidio entity names → dataready entity tag values (others are ignored).
PRESIDIO_ENTITIES: dict[str, str] = {
    "EMAIL_ADDRESS": "Email",
    "PHONE_NUMBER": "Phone",
    "PERSON": "PersonName",
    "CREDIT_CARD": "CreditCard",
    "IBAN_CODE": "BankAccount",
    "IP_ADDRESS": "IpAddress",
    "US_SSN": "NationalId",
    "US_PASSPORT": "Passport",
    "LOCATION": "City",
}


def presidio_available() -> bool:
    """Whether presidio-analyzer can be imported (a spaCy model may still be missing)."""
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def analyzer() -> Any:
    """A shared ``AnalyzerEngine``; raises ``MissingExtra`` when Presidio is not installed."""
    try:
        from presidio_analyzer import AnalyzerEngine
    except ImportError as exc:
        raise MissingExtra("presidio-analyzer", "presidio") from exc
    return AnalyzerEngine()


def presidio_counts(texts: Iterable[str], *, min_score: float = 0.6) -> dict[str, int]:
    """How many of ``texts`` Presidio finds each dataready entity in (counts, no values)."""
    engine = analyzer()
    counts: Counter[str] = Counter()
    for text in texts:
        found = {
            PRESIDIO_ENTITIES[r.entity_type]
            for r in engine.analyze(text=text[:5000], language="en")
            if r.entity_type in PRESIDIO_ENTITIES and r.score >= min_score
        }
        counts.update(found)
    return dict(counts)
