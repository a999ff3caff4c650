"""JSON for deployments, on their own and in their grant's JSON (design.md §5.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.roles import Role
from app.deployments import services as deployments
from app.deployments.models import Deployment
from app.grants.models import Grant


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
