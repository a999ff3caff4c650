"""Results: the seam where progress reports will add measured values.

`results_for()` is what the files publish as IATI results. Today it reads the application's
indicators (baseline and target); when progress reports are accepted, their measured values
join each indicator as `ActualValue`s here, and the files carry them with no other change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from app.opendata.records import GrantRecord


@dataclass(frozen=True)
class ActualValue:
    """A measured value for a period, from an accepted progress report (none yet)."""

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


def results_for(grant: GrantRecord) -> list[ResultRecord]:
    """The grant's expected results and their indicators (baseline, target).

    Today they come from the application only. When progress reports are accepted, their
    measured values are added here as `ActualValue`s of each indicator; the files already
    publish whatever this returns.
    """
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
            )
        )
    return [ResultRecord(title, tuple(items)) for title, items in grouped.items() if title]
