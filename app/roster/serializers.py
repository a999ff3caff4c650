"""JSON for experts and deployments (DESIGN §5.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.roles import Role
from app.grants.models import Grant
from app.roster import deployments
from app.roster.matching import Match
from app.roster.models import Deployment, Expert


def expert_json(expert: Expert) -> dict[str, Any]:
    state = expert.user.state
    return {
        "id": expert.id,
        "name": expert.name,
        "status": expert.status_enum.value,
        "nationality": expert.user.state_iso3,
        "region": state.region.value if state is not None else None,
        "current_position": expert.current_position,
        "summary": expert.summary,
        "years_experience": expert.years_experience,
        "daily_rate": expert.daily_rate.as_string() if expert.daily_rate else None,
        "currency": expert.rate_currency,
        "languages": [
            {"code": language.code, "level": language.level_enum.value}
            for language in expert.languages
        ],
        "themes": expert.theme_codes,
        "mechanisms": [m.code for m in expert.mechanisms],
        "availability": [
            {"start": p.start_date.isoformat(), "end": p.end_date.isoformat()}
            for p in expert.availability
        ],
        "cv": expert.cv.original_name if expert.cv else None,
        "status_note": expert.status_note or None,
    }


def match_json(match: Match) -> dict[str, Any]:
    expert = match.expert
    return {
        **expert_json(expert),
        "score": match.score,
        "score_parts": [
            {"label": part.label, "points": part.points, "detail": part.detail}
            for part in match.parts
        ],
    }


def deployment_json(deployment: Deployment, *, with_expert: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": deployment.id,
        "reference": deployment.reference,
        "grant_id": deployment.grant_id,
        "status": deployment.status_enum.value,
        "start": deployment.start_date.isoformat(),
        "end": deployment.end_date.isoformat(),
        "person_days": deployment.person_days,
        "currency": deployment.currency,
        "fee": deployment.fee.as_string(),
        "travel_budget": deployment.travel_budget.as_string(),
    }
    if with_expert:
        data.update(
            expert_id=deployment.expert_id,
            expert=deployment.expert.name,
            terms_of_reference=deployment.terms_of_reference,
            consented_at=deployment.consented_at.isoformat() if deployment.consented_at else None,
            rating=deployment.rating,
        )
    return data


def grant_deployments(grant: Grant, *, session: Session, user: User | None) -> dict[str, Any]:
    """A grant's deployments; donors see what was done, not who did it."""
    with_expert = user is not None and user.role_enum is not Role.DONOR
    return {
        "deployments": [
            deployment_json(d, with_expert=with_expert)
            for d in deployments.for_grant(session, grant)
        ]
    }
