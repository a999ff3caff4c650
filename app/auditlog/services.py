from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.committee.models import Ballot, BallotStatus
from app.core.audit import AuditEvent
from app.core.pagination import Page, paginate
from app.core.roles import Role


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
NOT_FOR_YOU = "(named votes are for the committee, the secretariat and the auditor)"
# The keys of the audit data that say how a member voted.
VOTE_KEYS = frozenset({"choice", "from", "to"})
MINUTED_VOTES = "votes"  # ballot.close: every member's vote, by name


def visible_details(
    session: Session, events: Sequence[AuditEvent], viewer: User
) -> dict[int, dict[str, Any]]:
    """Each event's data as `viewer` may see it. How a member voted stays hidden from everyone
    while its ballot is open, and always from a viewer who may not see named votes (the admin
    reads the log to manage accounts: design.md §2 gives it no votes)."""
    details = {e.id: e.data_dict for e in events}
    if viewer.role_enum is not Role.AUDITOR:
        for event in events:
            data = details[event.id]
            if event.action.startswith("vote."):
                details[event.id] = {
                    k: NOT_FOR_YOU if k in VOTE_KEYS else v for k, v in data.items()
                }
            elif MINUTED_VOTES in data and event.object_type == "ballot":
                details[event.id] = {**data, MINUTED_VOTES: NOT_FOR_YOU}
        return details
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
            details[event.id] = {k: HIDDEN if k in VOTE_KEYS else v for k, v in data.items()}
    return details
