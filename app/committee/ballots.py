"""Ballots: opening with the seated members (recusing nationals), voting, recusal,
reopening a deferred request, the discussion, and the members' reminders (design.md §3.2).
Closing, with its quorum and majority rules, is decisions.py; seats are seats.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from app.applications.models import Application
from app.applications.workflow import APPLICATION_WORKFLOW
from app.auth.models import User
from app.committee.models import (
    Ballot,
    BallotMember,
    BallotStatus,
    CommitteeSeat,
    DiscussionPost,
    SeatKind,
    Vote,
    VoteChoice,
)
from app.committee.seats import active_seats
from app.committee.workflow import BALLOT_WORKFLOW, sitting_member
from app.core import audit, mail
from app.core.database import utcnow
from app.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationError
from app.core.money import MoneyError, parse_amount
from app.core.pagination import Page, paginate
from app.core.roles import Region, Role
from app.settings import services as settings

log = logging.getLogger(__name__)

# -- reading -------------------------------------------------------------------------------------


def ballots_of(session: Session, application: Application) -> Sequence[Ballot]:
    return (
        session.execute(
            select(Ballot)
            .where(Ballot.application_id == application.id)
            .order_by(Ballot.number)
            .options(selectinload(Ballot.members), selectinload(Ballot.votes))
        )
        .scalars()
        .all()
    )


def current_ballot(
    session: Session, application: Application, *, lock: bool = False
) -> Ballot | None:
    stmt = (
        select(Ballot)
        .where(Ballot.application_id == application.id)
        .order_by(Ballot.number.desc())
        .limit(1)
        .options(selectinload(Ballot.members), selectinload(Ballot.votes))
    )
    if lock:
        stmt = stmt.with_for_update(of=Ballot)
    return session.execute(stmt).scalars().first()


def _listed(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(
        selectinload(Ballot.application),
        selectinload(Ballot.members),
        selectinload(Ballot.votes),
    )


def open_ballots(session: Session, *, page: int = 1, per_page: int = 25) -> Page[Ballot]:
    """The open ballots, closing soonest first, a page at a time."""
    stmt = select(Ballot).where(Ballot.status == BallotStatus.OPEN).order_by(Ballot.deadline)
    return paginate(session, _listed(stmt), page=page, per_page=per_page)


def _member_of(user: User) -> Select[Any]:
    return (
        select(Ballot)
        .join(BallotMember, BallotMember.ballot_id == Ballot.id)
        .where(BallotMember.user_id == user.id)
    )


def open_ballots_for_member(
    session: Session, user: User, *, page: int = 1, per_page: int = 25
) -> Page[Ballot]:
    stmt = _member_of(user).where(Ballot.status == BallotStatus.OPEN).order_by(Ballot.deadline)
    return paginate(session, _listed(stmt), page=page, per_page=per_page)


def closed_ballots_for_member(session: Session, user: User, *, limit: int = 20) -> Sequence[Ballot]:
    """The member's latest closed ballots: its voting history."""
    stmt = (
        _member_of(user)
        .where(Ballot.status == BallotStatus.CLOSED)
        .order_by(Ballot.closed_at.desc())
        .limit(limit)
    )
    return session.execute(_listed(stmt)).scalars().unique().all()


def recent_closed(session: Session, limit: int = 20) -> Sequence[Ballot]:
    stmt = (
        select(Ballot)
        .where(Ballot.status == BallotStatus.CLOSED)
        .order_by(Ballot.closed_at.desc())
        .limit(limit)
    )
    return session.execute(_listed(stmt)).scalars().all()


def can_see_choices(user: User, ballot: Ballot) -> bool:
    """Named votes are minuted after the close, for the committee, secretariat and auditor."""
    return not ballot.is_open and user.role_enum in (Role.COMMITTEE, Role.SECRETARIAT, Role.AUDITOR)


def require_ballot_reader(user: User) -> None:
    if user.role_enum not in (Role.COMMITTEE, Role.SECRETARIAT, Role.AUDITOR):
        raise PermissionDenied(_("ballots are for the committee, the secretariat and the auditor"))


# -- opening -------------------------------------------------------------------------------------------


def _seat_for(region: Region, seats: list[CommitteeSeat], kind: SeatKind) -> CommitteeSeat | None:
    return next((s for s in seats if s.region == region and s.kind == kind), None)


def _is_national(user: User, application: Application) -> bool:
    return user.state_iso3 is not None and user.state_iso3 == application.state_iso3


def declared_conflicts(session: Session, application: Application) -> dict[int, str]:
    """The conflicts of interest members declared on the application's earlier ballots, by
    user id: a conflict is with the request, not with one round of voting, so it stands on
    every later ballot of the same request."""
    rows = session.execute(
        select(BallotMember.user_id, BallotMember.recusal_reason)
        .join(Ballot, Ballot.id == BallotMember.ballot_id)
        .where(Ballot.application_id == application.id, BallotMember.recusal_kind == "declared")
        .order_by(Ballot.number)
    ).all()
    return {user_id: reason or "" for user_id, reason in rows}


def _recusal_for(
    user: User, application: Application, conflicts: dict[int, str]
) -> tuple[str, str] | None:
    """Why `user` may not vote on `application` (kind, reason), or None."""
    if _is_national(user, application):
        return "nationality", _("National of the applicant State")
    if user.id in conflicts:
        return "declared", conflicts[user.id]
    return None


def open_ballot(
    session: Session, actor: User, application: Application, deadline: datetime
) -> Ballot:
    """Seat the active member of each regional group; a national of the applicant State, or a
    member who declared a conflict on an earlier ballot of the request, is recused, and the
    group's alternate sits in that member's place."""
    if deadline <= utcnow():
        raise ValidationError(
            _("the deadline must be in the future"), fields={"deadline": "in the past"}
        )
    if deadline > utcnow() + timedelta(days=180):
        raise ValidationError(
            _("the deadline cannot be more than 180 days away"), fields={"deadline": "too far"}
        )
    seats = active_seats(session)
    if not any(s.kind == SeatKind.MEMBER for s in seats):
        raise Conflict(
            _("no committee member holds a seat today: add seats before opening a ballot")
        )
    number = (
        session.execute(
            select(func.max(Ballot.number)).where(Ballot.application_id == application.id)
        ).scalar()
        or 0
    ) + 1
    ballot = Ballot(
        application_id=application.id, number=number, opened_by_id=actor.id, deadline=deadline
    )
    session.add(ballot)
    conflicts = declared_conflicts(session, application)
    for region in Region:
        member_seat = _seat_for(region, seats, SeatKind.MEMBER)
        alternate_seat = _seat_for(region, seats, SeatKind.ALTERNATE)
        sitting = member_seat or alternate_seat
        if sitting is None:
            continue
        member = _add_member(ballot, sitting, is_alternate=sitting is alternate_seat)
        recusal = _recusal_for(sitting.user, application, conflicts)
        if recusal is not None:
            _recuse(member, *recusal)
            if (
                sitting is member_seat
                and alternate_seat
                and _recusal_for(alternate_seat.user, application, conflicts) is None
            ):
                _add_member(ballot, alternate_seat, is_alternate=True)
    session.flush()
    audit.record(
        session,
        "ballot.open",
        ballot,
        actor=actor,
        data={
            "application": application.reference,
            "number": number,
            "deadline": deadline.isoformat(),
            "members": [m.user.email for m in ballot.members],
            "recused": [m.user.email for m in ballot.members if m.recused],
        },
    )
    for member in ballot.members:
        mail.queue(
            session,
            member.user,
            "ballot_opened",
            {"ballot": ballot, "application": application, "member": member},
        )
    return ballot


def _add_member(ballot: Ballot, seat: CommitteeSeat, *, is_alternate: bool) -> BallotMember:
    member = BallotMember(
        user_id=seat.user_id, seat_id=seat.id, region=seat.region, is_alternate=is_alternate
    )
    member.user = seat.user
    ballot.members.append(member)
    return member


def _recuse(member: BallotMember, kind: str, reason: str) -> None:
    member.recused = True
    member.recusal_kind = kind
    member.recusal_reason = reason
    member.recused_at = utcnow()


# -- members act -------------------------------------------------------------------------------------


def latest_ballot(session: Session, application: Application) -> Ballot:
    """The application's latest ballot, locked; the table then says what may be done on it."""
    ballot = current_ballot(session, application, lock=True)
    if ballot is None:
        status = application.status_enum.value
        raise TransitionNotAllowed(
            _("there is no ballot on this application (its status is %(status)s)", status=status),
            fields={"status": status},
        )
    return ballot


def cast_vote(
    session: Session,
    actor: User,
    application: Application,
    choice: VoteChoice | str,
    comment: str = "",
    proposed_amount: str | None = None,
) -> Vote:
    """Cast or change the actor's vote: always one row per member."""
    try:
        choice = VoteChoice(choice)
    except ValueError:
        raise ValidationError(
            _("choose approve, reject or abstain"), fields={"choice": "unknown"}
        ) from None
    ballot = latest_ballot(session, application)
    seat = ballot.member_for(actor)
    vote = ballot.vote_of(seat) if seat is not None else None
    action = "vote" if vote is None else "change_vote"
    BALLOT_WORKFLOW.check(ballot, action, actor)  # who may, before what is said is checked
    member = sitting_member(ballot, actor)
    comment = (comment or "").strip()[:5000]
    amount = _proposed_amount(application, choice, proposed_amount)
    if vote is None:
        BALLOT_WORKFLOW.apply(
            session, ballot, action, actor, data={"ballot": ballot.id, "choice": choice.value}
        )
        vote = Vote(
            ballot_id=ballot.id,
            member_id=member.id,
            choice=choice,
            comment=comment,
            proposed_amount_minor=amount,
        )
        ballot.votes.append(vote)
        session.flush()
    else:
        BALLOT_WORKFLOW.apply(
            session,
            ballot,
            action,
            actor,
            data={"ballot": ballot.id, "from": vote.choice.value, "to": choice.value},
        )
        vote.choice, vote.comment, vote.proposed_amount_minor = choice, comment, amount
        vote.changed_at = utcnow()
        vote.changes += 1
    return vote


def _proposed_amount(application: Application, choice: VoteChoice, value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if choice is not VoteChoice.APPROVE:
        raise ValidationError(
            _("only an approving vote may propose an amount"),
            fields={"proposed_amount": "not approving"},
        )
    try:
        amount = parse_amount(value, application.currency).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("proposed amount: %(error)s", error=str(error)),
            fields={"proposed_amount": str(error)},
        ) from None
    if amount > application.requested_amount_minor:
        raise ValidationError(
            _("the committee may approve less than requested, not more"),
            fields={"proposed_amount": "above the request"},
        )
    return amount


def declare_conflict(
    session: Session, actor: User, application: Application, reason: str
) -> BallotMember:
    """Voluntary recusal; the vote, if any, is withdrawn (and minuted in the audit log) and an
    alternate may sit instead."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("say what the conflict of interest is"), fields={"reason": "required"}
        )
    ballot = latest_ballot(session, application)
    BALLOT_WORKFLOW.apply(
        session,
        ballot,
        "recuse",
        actor,
        data={"member": actor.email, "reason": reason[:2000]},
    )
    member = sitting_member(ballot, actor)
    vote = ballot.vote_of(member)
    if vote is not None:
        # A "vote." event: its choice stays hidden in the audit log while the ballot is open
        # (so no proposed amount either, which only an approving vote has).
        audit.record(
            session,
            "vote.withdraw",
            ballot,
            actor=actor,
            data={
                "ballot": ballot.id,
                "choice": vote.choice.value,
                "cast_at": vote.cast_at.isoformat(),
                "changes": vote.changes,
            },
        )
        ballot.votes.remove(vote)
    _recuse(member, "declared", reason[:2000])
    alternate = _seat_for(Region(member.region), active_seats(session), SeatKind.ALTERNATE)
    if (
        not member.is_alternate
        and alternate is not None
        and ballot.member_for(alternate.user) is None
        and _recusal_for(alternate.user, application, declared_conflicts(session, application))
        is None
    ):
        seated = _add_member(ballot, alternate, is_alternate=True)
        session.flush()
        audit.record(
            session,
            "ballot.seat_alternate",
            ballot,
            actor=actor,
            data={"member": alternate.user.email},
        )
        mail.queue(
            session,
            alternate.user,
            "ballot_opened",
            {"ballot": ballot, "application": application, "member": seated},
        )
    return member


# -- reopening ---------------------------------------------------------------------------------------------


def reopen(session: Session, actor: User, application: Application, deadline: datetime) -> Ballot:
    """A deferred application goes to a new ballot: the deferred one is minuted as reopened."""
    APPLICATION_WORKFLOW.check(application, "reopen", actor)
    deferred = latest_ballot(session, application)
    BALLOT_WORKFLOW.apply(
        session, deferred, "reopen", actor, data={"application": application.reference}
    )
    APPLICATION_WORKFLOW.apply(session, application, "reopen", actor)
    application.decision_reasons = ""
    return open_ballot(session, actor, application, deadline)


def default_deadline(session: Session) -> datetime:
    return utcnow() + timedelta(days=settings.get(session, "ballot_days"))


# -- discussion ---------------------------------------------------------------------------------------------


def discussion(session: Session, application: Application) -> Sequence[DiscussionPost]:
    return (
        session.execute(
            select(DiscussionPost)
            .where(DiscussionPost.application_id == application.id)
            .order_by(DiscussionPost.id)
        )
        .scalars()
        .all()
    )


def post_to_discussion(
    session: Session, actor: User, application: Application, body: str
) -> DiscussionPost:
    if actor.role_enum not in (Role.COMMITTEE, Role.SECRETARIAT):
        raise PermissionDenied(_("the discussion is for the committee and the secretariat"))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("write something first"), fields={"body": "required"})
    if actor.role_enum is Role.COMMITTEE:
        # Those who sit on the current ballot discuss it; a recused member does not.
        ballot = current_ballot(session, application)
        if ballot is None:
            raise PermissionDenied(_("the discussion opens with the ballot"))
        sitting_member(ballot, actor)
    post = DiscussionPost(application_id=application.id, author_id=actor.id, body=body[:10_000])
    session.add(post)
    session.flush()
    audit.record(
        session, "discussion.post", post, actor=actor, data={"application": application.reference}
    )
    return post


# -- scheduled jobs ---------------------------------------------------------------------------------------------


def send_reminders(session: Session) -> int:
    """Remind members who have not voted, once per ballot, before the deadline."""
    hours = settings.get(session, "reminder_hours")
    now = utcnow()
    due = (
        session.execute(
            select(Ballot)
            .where(
                Ballot.status == BallotStatus.OPEN,
                Ballot.reminder_sent_at.is_(None),
                Ballot.deadline > now,
                Ballot.deadline <= now + timedelta(hours=hours),
            )
            .options(
                selectinload(Ballot.members),
                selectinload(Ballot.votes),
                selectinload(Ballot.application),
            )
            .with_for_update(of=Ballot, skip_locked=True)
        )
        .scalars()
        .all()
    )
    sent = 0
    for ballot in due:
        voted = {v.member_id for v in ballot.votes}
        for member in ballot.members:
            if member.recused or member.id in voted:
                continue
            message = mail.queue(
                session,
                member.user,
                "ballot_reminder",
                {"ballot": ballot, "application": ballot.application},
                dedupe_key=f"ballot-reminder:{ballot.id}:{member.user_id}",
            )
            sent += message is not None
        ballot.reminder_sent_at = now
    return sent


def get_open_ballot_summary(ballot: Ballot) -> dict[str, Any]:
    """Who has voted (never how) while the ballot is open."""
    voted = {v.member_id for v in ballot.votes}
    return {
        "members": [
            {"member": m, "voted": m.id in voted, "recused": m.recused}
            for m in sorted(ballot.members, key=lambda m: m.region)
        ],
        "voted": len(voted),
        "eligible": sum(not m.recused for m in ballot.members),
    }
