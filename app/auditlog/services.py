from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.committee.models import Ballot, BallotStatus
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


HIDDEN = "(hidden until the ballot closes)"


def visible_details(session: Session, events: Sequence[AuditEvent]) -> dict[int, dict[str, Any]]:
    """Each event's data as shown: how a member voted stays hidden while its ballot is open."""
    details = {e.id: e.data_dict for e in events}
    ballot_ids = {
        int(d["ballot"])
        for e in events
        if e.action.startswith("vote.")
        for d in [details[e.id]]
        if "ballot" in d
    }
    if not ballot_ids:
        return details
    still_open = set(
        session.execute(
            select(Ballot.id).where(Ballot.id.in_(ballot_ids), Ballot.status == BallotStatus.OPEN)
        ).scalars()
    )
    for event in events:
        data = details[event.id]
        if event.action.startswith("vote.") and data.get("ballot") in still_open:
            details[event.id] = {
                k: (HIDDEN if k in ("choice", "from", "to") else v) for k, v in data.items()
            }
    return details
