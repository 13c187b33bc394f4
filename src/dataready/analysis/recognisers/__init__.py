"""One set of value recognisers, read by the profiler and the PII classifier alike.

The recognisers are data (``recognisers.toml``: patterns, parameters, the check each names,
a version); the checks they name are a registry (``checks.py``).  ``shapes.py`` reports the
share of values each recognises as the profile's ``formats``; ``pii/validators.py`` and
``pii/detectors.py`` validate sample values with the same objects.  Pure: no I/O beyond
reading the packaged data file.
"""

from __future__ import annotations

from dataready.analysis.recognisers.catalogue import (
    Catalogue,
    Recogniser,
    catalogue,
    parse_catalogue,
    recognised,
    recogniser,
    recognisers_version,
)
from dataready.analysis.recognisers.checks import CHECKS, parse_date, phone_valid, register_check

__all__ = [
    "CHECKS",
    "Catalogue",
    "Recogniser",
    "catalogue",
    "parse_catalogue",
    "parse_date",
    "phone_valid",
    "recognised",
    "recogniser",
    "recognisers_version",
    "register_check",
]
