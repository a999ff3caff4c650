"""Committee seats: one member per regional group at a time, alternates, terms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.committee.models import CommitteeSeat, SeatKind
from app.core import audit
from app.core.database import today
from app.core.dates import add_years
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.permissions import require_role
from app.core.roles import Region, Role
from app.settings import services as settings


def all_seats(session: Session) -> Sequence[CommitteeSeat]:
    return (
        session.execute(
            select(CommitteeSeat).order_by(
                CommitteeSeat.region, CommitteeSeat.kind, CommitteeSeat.term_start.desc()
            )
        )
        .scalars()
        .all()
    )


def active_seats(session: Session, on: date | None = None) -> list[CommitteeSeat]:
    on = on or today()
    seats = session.execute(
        select(CommitteeSeat).where(CommitteeSeat.term_start <= on, CommitteeSeat.term_end > on)
    ).scalars()
    return [s for s in seats if s.is_active(on) and s.user.active]


def get_seat(session: Session, seat_id: int) -> CommitteeSeat:
    seat = session.get(CommitteeSeat, seat_id)
    if seat is None:
        raise NotFound("no such seat")
    return seat


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start < b_end and b_start < a_end


def _consecutive_terms(seats: Sequence[CommitteeSeat], start: date) -> int:
    """How many terms end right where the new one starts, back to back."""
    count = 0
    boundary = start
    for seat in sorted(seats, key=lambda s: s.term_start, reverse=True):
        if seat.effective_end == boundary:
            count += 1
            boundary = seat.term_start
    return count


def add_seat(
    session: Session,
    actor: User,
    user: User,
    *,
    kind: SeatKind | str = SeatKind.MEMBER,
    term_start: date,
    term_end: date | None = None,
) -> CommitteeSeat:
    require_role(actor, Role.SECRETARIAT)
    kind = SeatKind(kind)
    if user.role_enum is not Role.COMMITTEE or user.region is None:
        raise ValidationError(
            "only committee members (with a regional group) hold seats",
            fields={"user": "not committee"},
        )
    if not user.active:
        raise ValidationError("this account is deactivated", fields={"user": "inactive"})
    region = Region(user.region)
    end = term_end or add_years(term_start, settings.get(session, "seat_term_years"))
    if end <= term_start:
        raise ValidationError(
            "the term must end after it starts", fields={"term_end": "before start"}
        )
    if end > add_years(term_start, 10):
        raise ValidationError(
            "a term cannot be longer than ten years", fields={"term_end": "too long"}
        )
    same_region = (
        session.execute(
            select(CommitteeSeat).where(CommitteeSeat.region == region, CommitteeSeat.kind == kind)
        )
        .scalars()
        .all()
    )
    for seat in same_region:
        if _overlaps(term_start, end, seat.term_start, seat.effective_end):
            raise Conflict(
                f"the {region.label} already has a {kind.value} seat from {seat.term_start} to {seat.effective_end}",
                fields={"term_start": "overlaps"},
            )
    mine = (
        session.execute(select(CommitteeSeat).where(CommitteeSeat.user_id == user.id))
        .scalars()
        .all()
    )
    for seat in mine:
        if _overlaps(term_start, end, seat.term_start, seat.effective_end):
            raise Conflict(
                "this person already holds a seat in that period", fields={"term_start": "overlaps"}
            )
    limit = settings.get(session, "max_consecutive_terms")
    if _consecutive_terms(mine, term_start) >= limit:
        raise ValidationError(
            f"at most {limit} consecutive terms: this would be one more",
            fields={"term_start": "too many terms"},
        )
    seat = CommitteeSeat(
        user_id=user.id,
        region=region,
        kind=kind,
        term_start=term_start,
        term_end=end,
        created_by_id=actor.id,
    )
    session.add(seat)
    session.flush()
    audit.record(
        session,
        "seat.create",
        seat,
        actor=actor,
        data={
            "user": user.email,
            "region": region.value,
            "kind": kind.value,
            "from": str(term_start),
            "to": str(end),
        },
    )
    return seat


def end_seat(session: Session, actor: User, seat: CommitteeSeat, *, on: date, reason: str) -> None:
    require_role(actor, Role.SECRETARIAT)
    if seat.ended_on is not None:
        raise Conflict("this seat has already ended")
    if not seat.term_start <= on <= seat.term_end:
        raise ValidationError(
            "the end date must fall within the term", fields={"on": "outside term"}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("say why the seat ends", fields={"reason": "required"})
    seat.ended_on = on
    seat.end_reason = reason[:2000]
    audit.record(
        session, "seat.end", seat, actor=actor, data={"on": str(on), "reason": seat.end_reason}
    )


def committee_users(session: Session) -> Sequence[User]:
    return (
        session.execute(
            select(User)
            .where(User.role == Role.COMMITTEE, User.active.is_(True))
            .order_by(User.region, User.name)
        )
        .scalars()
        .all()
    )
