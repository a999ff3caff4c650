"""Calendar arithmetic for terms, grant periods and report due dates."""

from __future__ import annotations

import calendar
from datetime import date


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
