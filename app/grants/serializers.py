"""JSON for a grant (design.md §5.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app import signals
from app.auth.models import User
from app.core.money import Money
from app.grants import services
from app.grants.agreement import reporting_schedule
from app.grants.models import Grant


def grant_json(session: Session, grant: Grant, user: User | None = None) -> dict[str, Any]:
    figures = services.figures(session, grant)
    data = {
        "id": grant.id,
        "reference": grant.reference,
        "application_id": grant.application_id,
        "state": grant.state_iso3,
        "status": grant.status_enum.value,
        "currency": grant.currency,
        "approved": figures["approved"].as_string(),
        "committed": figures["committed"].as_string(),
        "disbursed": figures["disbursed"].as_string(),
        "undisbursed": figures["undisbursed"].as_string(),
        "releasable": figures["releasable"].as_string(),
        "start_date": grant.start_date.isoformat() if grant.start_date else None,
        "end_date": grant.end_date.isoformat() if grant.end_date else None,
        "tranches": [
            {
                "number": t.number,
                "percent": t.percent,
                "amount": Money(t.amount_minor, grant.currency).as_string(),
                "condition": t.condition,
                "releasable": t.is_releasable,
                # Releases fill the tranches in order (a release may span two).
                "paid": Money(t.paid_minor, grant.currency).as_string(),
                "pending": Money(t.pending_minor, grant.currency).as_string(),
                "progress": t.progress,
            }
            for t in grant.tranches
        ],
        "disbursements": [
            {
                "id": d.id,
                "kind": d.kind,
                "amount": d.amount.as_string(),
                "status": d.status_enum.value,
                "payment_reference": d.payment_reference or None,
            }
            for d in grant.disbursements
        ],
        "reports": [
            {"kind": r.kind, "due_date": r.due.isoformat(), "status": "scheduled"}
            for r in reporting_schedule(grant)
        ],
        "deployments": [],
    }
    # Packages built on grants add their part (signals.grant_json_parts).
    for _receiver, part in signals.grant_json_parts.send(grant, session=session, user=user):
        data.update(part)
    return data
