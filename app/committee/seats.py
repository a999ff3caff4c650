"""Committee seats: one member per regional group at a time, alternates, terms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
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
    return [s for s in seats if s.is_active(on) and s.is_held]


def get_seat(session: Session, seat_id: int) -> CommitteeSeat:
    seat = session.get(CommitteeSeat, seat_id)
    if seat is None:
        raise NotFound(_("no such seat"))
    return seat


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start < b_end and b_start < a_end


# A break shorter than this between two terms does not end a run of consecutive terms: a
# member cannot step off for a few weeks or months and come back to a fresh count.
BREAK_YEARS = 1
# How far ahead a seat may be planned (also keeps term arithmetic far from year 9999).
PLANNING_YEARS = 10


def _back_to_back(earlier: date, later_start: date) -> bool:
    """The later term follows the earlier one (ending on `earlier`) without a real break."""
    return later_start < add_years(earlier, BREAK_YEARS)


def consecutive_run(terms: Sequence[tuple[date, date]], start: date, end: date) -> int:
    """How many consecutive terms the run through a new term [start, end) would hold: the
    terms before and after it that follow each other with no break of a year or more,
    including a new term that fills the gap between two others."""
    ordered = sorted([*terms, (start, end)])
    index = ordered.index((start, end))
    first = index
    while first > 0 and _back_to_back(ordered[first - 1][1], ordered[first][0]):
        first -= 1
    last = index
    while last < len(ordered) - 1 and _back_to_back(ordered[last][1], ordered[last + 1][0]):
        last += 1
    return last - first + 1


def _holder_sits_on_the_committee(user: User) -> Region:
    """Seats are held by active committee accounts of a regional group: the seat's group."""
    if user.role_enum is not Role.COMMITTEE or user.region is None:
        raise ValidationError(
            _("only committee members (with a regional group) hold seats"),
            fields={"user": "not committee"},
        )
    if not user.active:
        raise ValidationError(_("this account is deactivated"), fields={"user": "inactive"})
    return Region(user.region)


def _term_end(session: Session, term_start: date, term_end: date | None) -> date:
    """The term: starting within the planning horizon, ending after it starts (by default
    after the setting's number of years), and not longer than ten years."""
    if term_start > add_years(today(), PLANNING_YEARS):
        raise ValidationError(
            _("a term cannot start more than %(years)s years from today", years=PLANNING_YEARS),
            fields={"term_start": "too far ahead"},
        )
    end = term_end or add_years(term_start, settings.get(session, "seat_term_years"))
    if end <= term_start:
        raise ValidationError(
            _("the term must end after it starts"), fields={"term_end": "before start"}
        )
    if end > add_years(term_start, 10):
        raise ValidationError(
            _("a term cannot be longer than ten years"), fields={"term_end": "too long"}
        )
    return end


def _one_seat_per_group(
    session: Session, region: Region, kind: SeatKind, start: date, end: date
) -> None:
    """One member seat and one alternate seat per regional group at any time."""
    same_region = (
        session.execute(
            select(CommitteeSeat).where(CommitteeSeat.region == region, CommitteeSeat.kind == kind)
        )
        .scalars()
        .all()
    )
    for seat in same_region:
        if _overlaps(start, end, seat.term_start, seat.effective_end):
            raise Conflict(
                _(
                    "the %(region)s already has a %(kind)s seat from %(start)s to %(end)s",
                    region=region.label,
                    kind=kind.label,
                    start=str(seat.term_start),
                    end=str(seat.effective_end),
                ),
                fields={"term_start": "overlaps"},
            )


def _one_seat_per_person(held: Sequence[CommitteeSeat], start: date, end: date) -> None:
    for seat in held:
        if _overlaps(start, end, seat.term_start, seat.effective_end):
            raise Conflict(
                _("this person already holds a seat in that period"),
                fields={"term_start": "overlaps"},
            )


def _within_consecutive_terms(
    session: Session, held: Sequence[CommitteeSeat], start: date, end: date
) -> None:
    """At most `max_consecutive_terms` (a setting, default two) in a row."""
    limit = settings.get(session, "max_consecutive_terms")
    run = consecutive_run([(s.term_start, s.effective_end) for s in held], start, end)
    if run > limit:
        raise ValidationError(
            _(
                "at most %(limit)s consecutive terms (a break of less than %(years)s year"
                " does not count): this would make %(run)s",
                limit=limit,
                years=BREAK_YEARS,
                run=run,
            ),
            fields={"term_start": "too many terms"},
        )


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
    region = _holder_sits_on_the_committee(user)
    end = _term_end(session, term_start, term_end)
    _one_seat_per_group(session, region, kind, term_start, end)
    held = (
        session.execute(select(CommitteeSeat).where(CommitteeSeat.user_id == user.id))
        .scalars()
        .all()
    )
    _one_seat_per_person(held, term_start, end)
    _within_consecutive_terms(session, held, term_start, end)
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
        raise Conflict(_("this seat has already ended"))
    if not seat.term_start <= on <= seat.term_end:
        raise ValidationError(
            _("the end date must fall within the term"), fields={"on": "outside term"}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("say why the seat ends"), fields={"reason": "required"})
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
