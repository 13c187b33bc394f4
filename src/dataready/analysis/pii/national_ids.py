"""National identification numbers, validated by python-stdnum.

Each kind has a cheap *shape* (a whole-value pattern) and stdnum's validator.  A kind is
``standalone`` when its shape and checksum together are specific enough to tag a column with
no help from its name (a dashed SSN, a UK NINO, a Spanish DNI, an Italian codice fiscale …).
Bare digit strings — a 9-digit BSN (one in eleven random numbers passes), a 12-digit Aadhaar,
an 11-digit IdNr or PESEL, a 10-digit NHS number — are never enough alone: any 10-digit order
id passes a mod-11 check often enough to fool a classifier that trusts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.in_ import aadhaar
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel
from stdnum.se import personnummer
from stdnum.us import itin, ssn

from dataready.analysis.pii.validators import is_nino


@dataclass(frozen=True)
class NationalIdKind:
    """One kind of national number."""

    name: str
    shape: re.Pattern[str]
    validate: Callable[[str], bool]
    standalone: bool


def _kind(
    name: str, shape: str, validate: Callable[[str], object], standalone: bool
) -> NationalIdKind:
    return NationalIdKind(name, re.compile(shape), lambda v: bool(validate(v)), standalone)


NATIONAL_ID_KINDS: tuple[NationalIdKind, ...] = (
    _kind("us.ssn", r"\d{3}-\d{2}-\d{4}", ssn.is_valid, True),
    _kind("us.itin", r"9\d{2}-[78]\d-\d{4}", itin.is_valid, True),
    _kind("us.ssn", r"\d{9}", ssn.is_valid, False),
    _kind("gb.nino", r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]", is_nino, True),
    _kind("gb.nhs", r"\d{3} ?\d{3} ?\d{4}", nhs.is_valid, False),
    _kind("de.idnr", r"\d{2} ?\d{3} ?\d{3} ?\d{3}", idnr.is_valid, False),
    _kind(
        "fr.nir", r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}", nir.is_valid, True
    ),
    _kind("es.dni", r"\d{8}-?[A-Za-z]", dni.is_valid, True),
    _kind("es.nie", r"[XYZxyz]-?\d{7}-?[A-Za-z]", nie.is_valid, True),
    _kind(
        "it.codicefiscale",
        r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]",
        codicefiscale.is_valid,
        True,
    ),
    _kind("nl.bsn", r"\d{8,9}", bsn.is_valid, False),
    _kind("in.aadhaar", r"[2-9]\d{3} ?\d{4} ?\d{4}", aadhaar.is_valid, False),
    _kind("pl.pesel", r"\d{11}", pesel.is_valid, False),
    _kind("br.cpf", r"\d{3}\.\d{3}\.\d{3}-\d{2}", cpf.is_valid, True),
    _kind("br.cpf", r"\d{11}", cpf.is_valid, False),
    _kind("se.personnummer", r"\d{6,8}[-+]\d{4}", personnummer.is_valid, True),
    _kind("fi.hetu", r"\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]", hetu.is_valid, True),
    _kind("dk.cpr", r"\d{6}-\d{4}", cpr.is_valid, True),
    _kind("ca.sin", r"\d{3}[ -]?\d{3}[ -]?\d{3}", sin.is_valid, False),
)


def match_national_id(value: str) -> tuple[NationalIdKind | None, bool]:
    """The first kind whose shape fits ``value``, and whether any fitting kind validates it.

    Returns the validating kind when one validates, otherwise the first kind whose shape fit
    (so the caller can count a shape match without a checksum pass), otherwise ``None``.
    """
    shaped: NationalIdKind | None = None
    for kind in NATIONAL_ID_KINDS:
        if kind.shape.fullmatch(value) is None:
            continue
        try:
            if kind.validate(value):
                return kind, True
        except Exception:  # stdnum raises on odd input it did not expect; treat as invalid
            pass
        shaped = shaped or kind
    return shaped, False
