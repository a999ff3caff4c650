"""The decision letter (PDF) for approved, rejected and ineligible applications.

It states the decision, the amount and the reasons; never who voted how."""

from __future__ import annotations

from flask import Response, abort

from app.applications.models import Application, ApplicationStatus
from app.core.database import utcnow
from app.core.money import fund_currency
from app.core.pdf import render_pdf

LETTER_STATUSES = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.INELIGIBLE}
)


def has_decision_letter(application: Application) -> bool:
    return application.status_enum in LETTER_STATUSES


def decision_letter_pdf(application: Application) -> bytes:
    return render_pdf(
        "pdf/decision_letter.html",
        application=application,
        issued=application.decided_at or application.screened_at or utcnow(),
        fund_currency=fund_currency(),
    )


def decision_letter_response(application: Application) -> Response:
    """The letter as an inline PDF download; 404 while there is no decision to tell."""
    if not has_decision_letter(application):
        abort(404)
    response = Response(decision_letter_pdf(application), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{application.reference}-decision.pdf"'
    )
    return response
