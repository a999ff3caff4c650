from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.audit import AuditEvent
from app.core.pagination import Page, paginate


def events(
    session: Session,
    *,
    page: int = 1,
    per_page: int = 50,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> Page[AuditEvent]:
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    return paginate(session, stmt.order_by(AuditEvent.id.desc()), page=page, per_page=per_page)


def object_types(session: Session) -> Sequence[str]:
    return (
        session.execute(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
        .scalars()
        .all()
    )
