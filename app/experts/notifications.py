"""E-mails implied by an expert's vetting."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import mail
from app.experts.models import Expert


def vetted(session: Session, expert: Expert, actor: User | None) -> None:
    mail.queue(session, expert.user, "expert_vetted", {"expert": expert})
