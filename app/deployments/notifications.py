"""E-mails implied by a deployment's transitions, and the mission report's reminders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.services import active_users_with_role, focal_points
from app.core import mail
from app.core.roles import Role
from app.deployments.models import Deployment

Audience = Callable[[Session, Any], Iterable[User]]


def expert_of(session: Session, deployment: Deployment) -> Iterable[User]:
    return [deployment.expert.user]


def state_of(session: Session, deployment: Deployment) -> Iterable[User]:
    return focal_points(session, deployment.grant.state_iso3)


def secretariat(session: Session, deployment: Deployment) -> Iterable[User]:
    return active_users_with_role(session, Role.SECRETARIAT)


def _tell(kind: str, *audiences: Audience) -> Callable[[Session, Any, Any], None]:
    def effect(session: Session, deployment: Deployment, actor: User | None) -> None:
        seen: set[int] = set()
        for audience in audiences:
            for user in audience(session, deployment):
                if user.id not in seen and (actor is None or user.id != actor.id):
                    seen.add(user.id)
                    mail.queue(session, user, kind, {"deployment": deployment})

    return effect


offered = _tell("deployment_offered", expert_of)
accepted = _tell("deployment_consent_requested", state_of, secretariat)
declined = _tell("deployment_declined", secretariat)
consented = _tell("deployment_scheduled", expert_of, secretariat)
consent_refused = _tell("deployment_consent_refused", expert_of, secretariat)
reported = _tell("deployment_reported", secretariat)
completed = _tell("deployment_completed", expert_of, state_of)
revision_requested = _tell("deployment_revision_requested", expert_of)
cancelled = _tell("deployment_cancelled", expert_of, state_of)


def report_reminder(session: Session, deployment: Deployment, step: str) -> bool:
    """`step` names the reminder ("due", "overdue-2", "overdue-3"…); each is sent once. True if
    it was queued now."""
    queued = mail.queue(
        session,
        deployment.expert.user,
        "deployment_report_due" if step == "due" else "deployment_report_overdue",
        {"deployment": deployment},
        dedupe_key=f"deployment:{deployment.id}:report:{step}",
    )
    return queued is not None
