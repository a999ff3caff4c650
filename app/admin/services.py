from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.auth.models import Invitation, User
from app.core.database import utcnow
from app.core.errors import NotFound
from app.core.mail import OutboxMessage
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import INVITABLE_BY, Role


def list_users(
    session: Session, actor: User, *, role: str | None = None, q: str | None = None, page: int = 1
) -> Page[User]:
    require_role(actor, Role.ADMIN)
    stmt = select(User)
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    if q:
        like = f"%{q.strip()[:100]}%"
        stmt = stmt.where(or_(User.email.ilike(like), User.name.ilike(like)))
    return paginate(session, stmt.order_by(User.email), page=page, per_page=50)


def get_user_for(session: Session, actor: User, user_id: int) -> User:
    require_role(actor, Role.ADMIN, Role.SECRETARIAT)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("no such user"))
    return user


def open_invitations(session: Session, actor: User) -> Sequence[Invitation]:
    require_role(actor, *INVITABLE_BY)
    stmt = select(Invitation).where(
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )
    if actor.role_enum is not Role.ADMIN:
        stmt = stmt.where(Invitation.role.in_(INVITABLE_BY[actor.role_enum]))
    return session.execute(stmt.order_by(Invitation.created_at.desc()).limit(200)).scalars().all()


def get_invitation_for(session: Session, actor: User, invitation_id: int) -> Invitation:
    require_role(actor, *INVITABLE_BY)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or Role(invitation.role) not in INVITABLE_BY[actor.role_enum]:
        raise NotFound(_("no such invitation"))
    return invitation


def accounts_to_vet(session: Session, actor: User) -> Sequence[User]:
    require_role(actor, Role.SECRETARIAT)
    return (
        session.execute(
            select(User)
            # Experts are vetted on their roster profile (app/experts), not here.
            .where(User.vetted_at.is_(None), User.role == Role.DONOR)
            .order_by(User.created_at)
            .limit(500)
        )
        .scalars()
        .all()
    )


def outbox(session: Session, actor: User, *, page: int = 1) -> Page[OutboxMessage]:
    require_role(actor, Role.SECRETARIAT, Role.AUDITOR, Role.ADMIN)
    return paginate(
        session, select(OutboxMessage).order_by(OutboxMessage.id.desc()), page=page, per_page=50
    )
