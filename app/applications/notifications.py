"""The e-mails each application transition implies (queued; sent after the commit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.models import User
from app.auth.services import active_users_with_role, focal_points
from app.core import mail
from app.core.roles import Role


def to_secretariat(kind: str) -> Any:
    def effect(session: Session, application: Application, actor: User | None) -> None:
        for user in active_users_with_role(session, Role.SECRETARIAT):
            mail.queue(session, user, kind, {"application": application, "actor": actor})

    return effect


def to_state(kind: str) -> Any:
    def effect(session: Session, application: Application, actor: User | None) -> None:
        for user in focal_points(session, application.state_iso3):
            mail.queue(session, user, kind, {"application": application})

    return effect


submitted = to_secretariat("application_submitted")
withdrawn = to_secretariat("application_withdrawn")
returned = to_state("application_returned")
ineligible = to_state("application_ineligible")
decided = to_state("application_decided")
