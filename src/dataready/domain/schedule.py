"""Cron schedules of workflow configurations."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from dataready.errors import ValidationFailed


def validate_cron(expression: str, *, field: str = "schedule.cron_expression") -> str:
    """Return the expression if it parses as a 5- or 6-field cron, else raise."""
    expr = expression.strip()
    if not croniter.is_valid(expr):
        raise ValidationFailed(
            f"{field} {expression!r} is not a valid cron expression; use five fields "
            "'minute hour day-of-month month day-of-week', e.g. '0 2 * * *'",
            field=field,
        )
    return expr


def validate_timezone(name: str, *, field: str = "schedule.timezone") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            f"{field} {name!r} is not a known IANA time zone such as 'UTC' or 'Europe/Berlin'",
            field=field,
        ) from exc
    return name
