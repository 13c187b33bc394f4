"""Free text that contains personal data: e-mails, phones, cards, SSNs and IBANs inside text.

This is the one scanner that searches *inside* values, and only in columns that hold text
(long, multi-word values).  Every hit is bounded by non-word characters and validated the way
a whole value would be: a Luhn check and issuer range for a card, phonenumbers for a phone
written as one, stdnum for an SSN or IBAN.  A film description mentioning "Mexico" is not
personal data; a support ticket quoting ``mary.smith@example.com`` is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import phonenumbers
from stdnum.us import ssn

from dataready.analysis.pii import validators as v
from dataready.analysis.pii.evidence import SampleView

_EMAIL_IN_TEXT = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}\b")
_CARD_IN_TEXT = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}(?![\w-])"
)
_SSN_IN_TEXT = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_IBAN_IN_TEXT = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")

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


def _phone_ok(text: str) -> bool:
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def _kinds_in(text: str) -> set[str]:
    found: set[str] = set()
    if "@" in text and any(v.is_email(m.group(0)) for m in _EMAIL_IN_TEXT.finditer(text)):
        found.add("email")
    if sum(c.isdigit() for c in text) >= 7:
        if any(v.is_card_number(m.group(0)) for m in _CARD_IN_TEXT.finditer(text)):
            found.add("credit_card")
        if any(ssn.is_valid(m.group(0)) for m in _SSN_IN_TEXT.finditer(text)):
            found.add("ssn")
        elif any(_phone_ok(m.group(0)) for m in _PHONE_IN_TEXT.finditer(text)):
            found.add("phone")
        if any(v.is_iban(m.group(0)) for m in _IBAN_IN_TEXT.finditer(text)):
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
