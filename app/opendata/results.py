"""Results: what the IATI file publishes for each grant's indicators.

`results_for()` reads the application's indicators (baseline and target) and, when a
progress report has been accepted, the value the latest one measured (an `ActualValue`).
Nothing from a draft, a report in review or a report sent back is ever published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from app.opendata.records import GrantRecord, ReportedValue


@dataclass(frozen=True)
class ActualValue:
    """A measured value for a period, from an accepted progress report."""

    period_start: date
    period_end: date
    value: str
    comment: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    name: str
    baseline: str
    target: str
    baseline_year: int
    actuals: tuple[ActualValue, ...] = ()

    @property
    def numeric(self) -> bool:
        return number(self.baseline) is not None and number(self.target) is not None

    @property
    def ascending(self) -> bool:
        base, target = number(self.baseline), number(self.target)
        return base is None or target is None or Decimal(target) >= Decimal(base)


@dataclass(frozen=True)
class ResultRecord:
    title: str
    indicators: tuple[IndicatorResult, ...]


def number(text: str) -> str | None:
    """A baseline, target or actual as a plain decimal ("1,200" → "1200"), or None."""
    try:
        value = Decimal((text or "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


REPORT_NAMES = {"interim": "Interim report", "final": "Final report", "progress": "Progress report"}


def actual_of(grant: GrantRecord, reported: ReportedValue) -> ActualValue:
    """The value an accepted report measured, over the grant's period up to the report's due
    date, with a note saying where it comes from (numeric values carry it as their comment)."""
    name = REPORT_NAMES.get(reported.report_kind, "Progress report")
    return ActualValue(
        period_start=grant.starts_on,
        period_end=reported.as_of,
        value=reported.value.strip(),
        comment=f"{name} accepted on {reported.accepted_on.isoformat()}:"
        f" progress to {reported.as_of.isoformat()}",
    )


def results_for(grant: GrantRecord) -> list[ResultRecord]:
    """The grant's expected results and their indicators: baseline, target, and the value
    the latest accepted report measured (one actual: values are progress to date, so
    publishing each report's would invite adding them up)."""
    year = (grant.submitted_at or grant.decided_at or grant.accepted_at).year
    grouped: dict[str, list[IndicatorResult]] = {}
    for row in grant.indicators:
        title = row.result.strip() or row.name.strip()
        grouped.setdefault(title, []).append(
            IndicatorResult(
                name=row.name.strip() or title,
                baseline=row.baseline.strip(),
                target=row.target.strip(),
                baseline_year=year,
                actuals=(actual_of(grant, row.reported),) if row.reported is not None else (),
            )
        )
    return [ResultRecord(title, tuple(items)) for title, items in grouped.items() if title]
