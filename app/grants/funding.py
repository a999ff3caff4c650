"""Grants and the fund's money: the queue of grants waiting for funds (committed strictly
oldest first), and what happens when money leaves the fund outside its control."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.database import utcnow
from app.core.roles import Role
from app.grants.models import Grant, GrantStatus
from app.grants.workflow import GRANT_WORKFLOW
from app.ledger import postings
from app.ledger import services as ledger

__all__ = ["after_money_out", "commit_waiting", "release_unspent", "waiting_queue"]


def _workflow_actor(actor: User | None) -> User | None:
    """The secretariat officer who caused a system transition, or None (the system)."""
    return actor if actor is not None and actor.role_enum is Role.SECRETARIAT else None


def _commit(session: Session, grant: Grant, actor: User | None = None) -> bool:
    """Commit the grant's amount if the fund's uncommitted money covers it. Only
    commit_waiting calls this, in the queue's order."""
    if ledger.available(session) < grant.amount_minor:
        return False
    postings.commitment(
        session,
        grant_id=grant.id,
        reference=grant.reference,
        amount_minor=grant.amount_minor,
        actor=actor,
    )
    grant.committed_at = utcnow()
    GRANT_WORKFLOW.apply(session, grant, "commit", _workflow_actor(actor))
    return True


def waiting_queue(session: Session, *, lock: bool = False) -> Sequence[Grant]:
    """Grants waiting for funds, in the order they are committed: oldest first."""
    stmt = (
        select(Grant)
        .where(Grant.status == GrantStatus.AWAITING_FUNDS)
        .order_by(Grant.created_at, Grant.id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Grant).execution_options(populate_existing=True)
    return session.execute(stmt).unique().scalars().all()


def commit_waiting(session: Session, actor: User | None = None) -> int:
    """Cover a shortfall first, then commit waiting grants, oldest first, while the money
    lasts: the queue is never jumped (a younger grant never takes money an older one needs)."""
    ledger.lock_fund(session)
    postings.settle_shortfall(session)
    committed = 0
    for grant in waiting_queue(session, lock=True):
        if not _commit(session, grant, actor):
            break
        committed += 1
    return committed


def after_money_out(session: Session) -> list[Grant]:
    """Money left the fund outside its control (a card refund, a lost dispute, a fee): if
    what is committed now exceeds the cash held, grants not yet accepted go back to the queue,
    newest first, releasing their commitment, until it does not. What active grants hold
    beyond the cash is then recorded as the fund's shortfall (`postings.settle_shortfall`).
    Returns the grants put back."""
    ledger.lock_fund(session)
    put_back: list[Grant] = []
    if ledger.available(session) < 0:
        candidates = (
            session.execute(
                select(Grant)
                .where(Grant.status == GrantStatus.AWAITING_ACCEPTANCE)
                .order_by(Grant.created_at.desc(), Grant.id.desc())
                .with_for_update(of=Grant)
                .execution_options(populate_existing=True)
            )
            .unique()
            .scalars()
            .all()
        )
        for grant in candidates:
            if ledger.available(session) >= 0:
                break
            release_unspent(
                session,
                None,
                grant,
                f"{grant.reference} back in the queue: money refunded left the fund short",
            )
            grant.committed_at = None
            GRANT_WORKFLOW.apply(
                session, grant, "return_to_queue", None, data={"reason": "shortfall"}
            )
            put_back.append(grant)
    postings.settle_shortfall(session)
    return put_back


def release_unspent(session: Session, actor: User | None, grant: Grant, memo: str) -> int:
    outstanding = postings.commitment_outstanding(session, grant.id)
    if outstanding > 0:
        postings.release(
            session,
            grant_id=grant.id,
            reference=grant.reference,
            amount_minor=outstanding,
            actor=actor,
            memo=memo,
        )
    return outstanding
