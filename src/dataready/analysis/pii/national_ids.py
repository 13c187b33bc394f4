"""National identification numbers: the ``national_id`` recognisers of the shared data file.

Each kind has a cheap *shape* (a whole-value pattern) and python-stdnum's validator, both
declared in ``analysis/recognisers/recognisers.toml``.  A kind is ``standalone`` when its shape
and checksum together are specific enough to tag a column with no help from its name (a dashed
SSN, a UK NINO, a Spanish DNI, an Italian codice fiscale …).  Bare digit strings — a 9-digit
BSN (one in eleven random numbers passes), a 12-digit Aadhaar, an 11-digit IdNr or PESEL, a
10-digit NHS number — are never enough alone: any 10-digit order id passes a mod-11 check
often enough to fool a classifier that trusts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from dataready.analysis.recognisers import Recogniser, catalogue

GROUP = "national_id"


@dataclass(frozen=True)
class NationalIdKind:
    """One kind of national number (``name``: its label, e.g. ``us.ssn``)."""

    name: str
    recogniser: Recogniser

    @property
    def standalone(self) -> bool:
        return self.recogniser.standalone


@cache
def national_id_kinds() -> tuple[NationalIdKind, ...]:
    """The kinds, in the order the data file tries them."""
    return tuple(NationalIdKind(r.label, r) for r in catalogue().recognisers if r.group == GROUP)


def match_national_id(value: str) -> tuple[NationalIdKind | None, bool]:
    """The first kind whose shape fits ``value``, and whether any fitting kind validates it.

    Returns the validating kind when one validates, otherwise the first kind whose shape fit
    (so the caller can count a shape match without a checksum pass), otherwise ``None``.
    """
    shaped: NationalIdKind | None = None
    for kind in national_id_kinds():
        if not kind.recogniser.shaped(value):
            continue
        if kind.recogniser.matches(value):
            return kind, True
        shaped = shaped or kind
    return shaped, False
