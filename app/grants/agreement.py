"""The grant agreement (PDF): parties, project, approved budget, tranches, reports, terms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.core.database import today
from app.core.dates import add_months
from app.core.money import Money
from app.core.pdf import render_pdf
from app.grants.models import Grant


@dataclass(frozen=True)
class ReportDue:
    kind: str
    due: date


def reporting_schedule(grant: Grant) -> list[ReportDue]:
    """Default: an interim report after 12 months (or half-way for short grants), a final one at the end."""
    start = grant.start_date or today()
    months = grant.duration_months
    interim = min(12, max(1, months // 2)) if months <= 12 else 12
    return [
        ReportDue("interim", add_months(start, interim)),
        ReportDue("final", add_months(start, months)),
    ]


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` minor units in proportion to `weights`, in integers that add up to
    `total` exactly: each share is rounded down, and the units left over go one each to the
    shares with the largest remainders (the earlier line first on a tie)."""
    whole = sum(weights)
    if not weights:
        return []
    if whole <= 0:
        return [total, *([0] * (len(weights) - 1))]
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


def agreement_pdf(session: Session, grant: Grant) -> bytes:
    application = grant.application
    lines = list(application.budget_lines)
    # The approved budget, line by line: the committee may approve less than was asked.
    amounts = allocate(grant.amount_minor, [line.amount_minor for line in lines])
    budget = [
        (line.category.label, line.description, Money(amount, grant.currency))
        for line, amount in zip(lines, amounts, strict=True)
    ]
    return render_pdf(
        "pdf/grant_agreement.html",
        grant=grant,
        application=application,
        budget=budget,
        scaled=grant.amount_minor != application.requested_amount_minor,
        reports=reporting_schedule(grant),
        issued=today(),
    )
