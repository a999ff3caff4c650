"""The grant agreement (PDF): parties, project, approved budget, tranches, reports, terms."""

from __future__ import annotations

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


def agreement_pdf(session: Session, grant: Grant) -> bytes:
    application = grant.application
    scale = (
        grant.amount_minor / application.requested_amount_minor
        if application.requested_amount_minor
        else 1
    )
    budget = [
        (
            line.category.label,
            line.description,
            Money(round(line.amount_minor * scale), grant.currency),
        )
        for line in application.budget_lines
    ]
    # Rounding goes to the last line so the budget adds up to the grant exactly.
    if budget:
        drift = grant.amount_minor - sum(m.amount_minor for _c, _d, m in budget)
        category, description, money = budget[-1]
        budget[-1] = (category, description, Money(money.amount_minor + drift, grant.currency))
    return render_pdf(
        "pdf/grant_agreement.html",
        grant=grant,
        application=application,
        budget=budget,
        scaled=scale != 1,
        reports=reporting_schedule(grant),
        issued=today(),
    )
