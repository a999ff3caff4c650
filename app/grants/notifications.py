"""E-mails implied by grant transitions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.services import active_users_with_role, focal_points
from app.core import mail
from app.core.roles import Role
from app.grants.models import Grant


def _to_state(kind: str) -> Any:
    def effect(session: Session, grant: Grant, actor: User | None) -> None:
        for user in focal_points(session, grant.state_iso3):
            mail.queue(session, user, kind, {"grant": grant})

    return effect


def _to_secretariat(kind: str) -> Any:
    def effect(session: Session, grant: Grant, actor: User | None) -> None:
        for user in active_users_with_role(session, Role.SECRETARIAT):
            mail.queue(session, user, kind, {"grant": grant})

    return effect


agreement_ready = _to_state("grant_agreement_ready")
accepted = _to_secretariat("grant_accepted")
suspended = _to_state("grant_suspended")
resumed = _to_state("grant_resumed")
cancelled = _to_state("grant_cancelled")
waiting_again = _to_state("grant_waiting_again")
