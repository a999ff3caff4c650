"""E-mails implied by an expert's vetting."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core import mail


def vetted(session: Session, expert: Any, actor: Any) -> None:
    mail.queue(session, expert.user, "expert_vetted", {"expert": expert})
