"""Free text that contains personal data: e-mails, phones, cards, SSNs and IBANs inside text.

This is the one scanner that searches *inside* values, and only in columns that hold text
(long, multi-word values).  Every hit is bounded by non-word characters and validated the way
a whole value would be, by the same recogniser (its ``search`` pattern finds candidates, its
``matches`` validates them): a Luhn check and issuer range for a card, phonenumbers for a
phone, stdnum for an SSN or IBAN.  A film description mentioning "Mexico" is not
personal data; a support ticket quoting ``mary.smith@example.com`` is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dataready.analysis.pii.evidence import SampleView
from dataready.analysis.recognisers import recogniser

# Only text that looks like prose or notes is scanned.
MIN_MEAN_LENGTH = 20.0
MIN_SPACED_SHARE = 0.5


@dataclass(frozen=True)
class TextScan:
    """Counts of validated personal data found inside text values."""

    checked: int
    values_with_pii: int
    kinds: dict[str, int]

    @property
    def share(self) -> float:
        return self.values_with_pii / self.checked if self.checked else 0.0

    def as_evidence(self) -> dict[str, object]:
        return {
            "pattern": "embedded-pii",
            "values_checked": self.checked,
            "matched_share": round(self.share, 4),
            "embedded": dict(sorted(self.kinds.items())),
        }


def looks_like_text(sample: SampleView) -> bool:
    """Whether the column holds prose-like values worth scanning."""
    if not sample.texts:
        return False
    spaced = sum(1 for t in sample.checked if " " in t) / len(sample.checked)
    return sample.mean_length >= MIN_MEAN_LENGTH and spaced >= MIN_SPACED_SHARE


def _kinds_in(text: str) -> set[str]:
    found: set[str] = set()
    if "@" in text and recogniser("email").find(text):
        found.add("email")
    if sum(c.isdigit() for c in text) >= 7:
        if recogniser("credit_card").find(text):
            found.add("credit_card")
        if recogniser("us.ssn").find(text):
            found.add("ssn")
        elif recogniser("phone").find(text):
            found.add("phone")
        if recogniser("iban").find(text):
            found.add("iban")
    return found


def scan_text(sample: SampleView) -> TextScan:
    """Scan the checked values for embedded, validated personal data."""
    kinds: Counter[str] = Counter()
    with_pii = 0
    for text in sample.checked:
        found = _kinds_in(text[:5000])
        if found:
            with_pii += 1
            kinds.update(found)
    return TextScan(len(sample.checked), with_pii, dict(kinds))
