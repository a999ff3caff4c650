"""Calendar arithmetic for terms, grant periods and report due dates, and the first or last
day of a period as it is typed."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any, Literal

from flask_babel import gettext as _

from app.core.errors import ValidationError


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def overdue_step(days_late: int) -> str:
    """The step of a weekly reminder while something is late: "overdue-0" for the first
    seven days late, "overdue-1" for the next seven, and so on. Counted from the due date,
    not by calendar week, so a report due on a Saturday is not chased on Sunday and again
    on Monday."""
    return f"overdue-{max(0, days_late) // 7}"


def period_day(value: Any, end: Literal["start", "end"], *, field: str | None = None) -> date:
    """The first (`start`) or last (`end`) day of a period, given as a date or YYYY-MM-DD;
    the refusal names that end, on `field` (by default the end's own name)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(
            _("start: give a date as YYYY-MM-DD")
            if end == "start"
            else _("end: give a date as YYYY-MM-DD"),
            fields={field or end: "bad date"},
        ) from None
