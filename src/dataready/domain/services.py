"""The rule a service name follows: it is the first part of every FQN of the service.

Letters, digits, ``_`` and ``-``, 1 to 64 characters, and not shaped like a UUID (the API's
``/services/{service_id}`` takes an id or a name, so a name never reads as an id). A dot, a
space, a quote or a bracket would make every FQN of the service need quoting, so none is
allowed. Names stored before this rule keep working (reads, runs, changes, delete); only
new names are checked.
"""

from __future__ import annotations

import re

from dataready.errors import ValidationFailed

SERVICE_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SERVICE_NAME_RULE = "letters, digits, _ and -, 1 to 64 characters, not shaped like a UUID"
_NAME = re.compile(SERVICE_NAME_PATTERN)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def is_uuid_shaped(text: str) -> bool:
    return _UUID.fullmatch(text) is not None


def check_service_name(name: str, *, field: str = "name") -> str:
    """``name`` when it follows the rule.

    Raises:
        ValidationFailed: saying the rule (the name itself is quoted with ``repr``).
    """
    if _NAME.fullmatch(name) is None or is_uuid_shaped(name):
        raise ValidationFailed(
            f"service name {name!r} is not allowed: use {SERVICE_NAME_RULE} (it is the "
            "first part of every FQN of the service)",
            field=field,
        )
    return name
