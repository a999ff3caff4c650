"""The JSON shape of an application. Votes and committee comments never appear here."""

from __future__ import annotations

from typing import Any

from app.applications.models import Application, ApplicationStatus
from app.auth.models import User
from app.core.roles import Role


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def application_json(application: Application, user: User) -> dict[str, Any]:
    a = application
    body: dict[str, Any] = {
        "id": a.id,
        "reference": a.reference,
        "status": a.status_enum.value,
        "state": a.state_iso3,
        "title": a.title,
        "summary": a.summary,
        "objectives": a.objectives,
        "activities": a.activities,
        "duration_months": a.duration_months,
        "implementing_entity": a.implementing_entity,
        "currency": a.currency,
        "requested_amount": a.requested.as_string(),
        "approved_amount": a.approved.as_string() if a.approved else None,
        "cofinancing": {
            "amount": a.cofinancing.as_string() if a.cofinancing else None,
            "note": a.cofinancing_note,
        },
        "themes": [t.code for t in a.themes],
        "sdgs": [g.number for g in a.sdgs],
        "recommendations": [
            {
                "id": r.id,
                "mechanism": r.mechanism_code,
                "reference": r.reference,
                "text": r.text,
                "recommending_body": r.recommending_body,
                "cycle": r.cycle,
            }
            for r in a.recommendations
        ],
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "baseline": i.baseline,
                "target": i.target,
                "result": i.result,
            }
            for i in a.indicators
        ],
        "budget": [
            {
                "id": b.id,
                "category": b.category,
                "description": b.description,
                "amount": b.amount.as_string(),
            }
            for b in a.budget_lines
        ],
        "expertise": {
            "themes": [t.code for t in a.expertise_themes],
            "languages": a.language_codes,
            "person_days": a.expertise_person_days,
        },
        "consent": {
            "official_name": a.consent_official_name,
            "official_title": a.consent_official_title,
            "given_at": _iso(a.consent_given_at),
        },
        "attachments": [
            {"id": f.id, "name": f.original_name, "size": f.size} for f in a.attachments
        ],
        "version": a.version,
        "created_at": _iso(a.created_at),
        "submitted_at": _iso(a.submitted_at),
        "decided_at": _iso(a.decided_at),
        "decision_reasons": a.decision_reasons or None,
    }
    if a.status_enum is ApplicationStatus.RETURNED or user.role_enum is not Role.APPLICANT:
        body["screening_note"] = a.screening_note or None
    if a.status_enum is ApplicationStatus.INELIGIBLE:
        body["referral"] = a.referral
    return body


def application_summary_json(application: Application) -> dict[str, Any]:
    return {
        "id": application.id,
        "reference": application.reference,
        "status": application.status_enum.value,
        "state": application.state_iso3,
        "title": application.title,
        "requested_amount": application.requested.as_string(),
        "currency": application.currency,
    }
