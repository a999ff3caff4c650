"""Closing a ballot: the tally with design.md §3.2's quorum and majority rules, the amount the
committee approves, the reasons the State reads, the decision applied to the request (an
approval creates its grant), and the scheduled job that closes ballots at their deadline."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.auth.models import User
from app.committee import ballots
from app.committee.models import Ballot, BallotOutcome, BallotStatus, VoteChoice
from app.committee.workflow import BALLOT_WORKFLOW
from app.core import mail
from app.core.database import utcnow
from app.core.errors import ValidationError
from app.core.money import Money, MoneyError, parse_amount
from app.grants import services as grants
from app.settings import services as settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tally:
    approve: int
    reject: int
    abstain: int
    recused: int
    eligible: int
    not_voting: int
    quorum_met: bool
    outcome: BallotOutcome

    def as_dict(self) -> dict[str, int]:
        return {
            "approve": self.approve,
            "reject": self.reject,
            "abstain": self.abstain,
            "recused": self.recused,
        }


def tally(ballot: Ballot, quorum_percent: int) -> Tally:
    """Recused members do not count toward quorum; abstentions count toward quorum but not
    toward the majority; a tie or no quorum defers."""
    counted = {m.id for m in ballot.members if not m.recused}
    votes = [v for v in ballot.votes if v.member_id in counted]
    approve = sum(v.choice == VoteChoice.APPROVE for v in votes)
    reject = sum(v.choice == VoteChoice.REJECT for v in votes)
    abstain = sum(v.choice == VoteChoice.ABSTAIN for v in votes)
    eligible = len(counted)
    voted = approve + reject + abstain
    quorum_met = eligible > 0 and voted * 100 > quorum_percent * eligible
    if not quorum_met or approve == reject:
        outcome = BallotOutcome.DEFERRED
    elif approve > reject:
        outcome = BallotOutcome.APPROVED
    else:
        outcome = BallotOutcome.REJECTED
    return Tally(
        approve=approve,
        reject=reject,
        abstain=abstain,
        recused=len(ballot.members) - eligible,
        eligible=eligible,
        not_voting=eligible - voted,
        quorum_met=quorum_met,
        outcome=outcome,
    )


def _approved_amount(application: Application, ballot: Ballot, given: str | None) -> int:
    if given not in (None, ""):
        try:
            amount = parse_amount(given, application.currency).amount_minor
        except MoneyError as error:
            raise ValidationError(
                _("approved amount: %(error)s", error=str(error)),
                fields={"approved_amount": str(error)},
            ) from None
        if amount > application.requested_amount_minor:
            raise ValidationError(
                _("the approved amount cannot exceed the amount requested"),
                fields={"approved_amount": "above the request"},
            )
        return amount
    # Otherwise the committee's central view: the median of what approving members would
    # grant (a member who proposed nothing grants the full request).
    counted = {m.id for m in ballot.members if not m.recused}
    amounts = [
        v.proposed_amount_minor or application.requested_amount_minor
        for v in ballot.votes
        if v.member_id in counted and v.choice == VoteChoice.APPROVE
    ]
    return int(statistics.median_low(amounts)) if amounts else application.requested_amount_minor


OUTCOME_ACTIONS = {
    BallotOutcome.APPROVED: "approve",
    BallotOutcome.REJECTED: "reject",
    BallotOutcome.DEFERRED: "defer",
}


def default_reasons(result: Tally, amount: Money | None) -> str:
    if result.outcome is BallotOutcome.APPROVED and amount is not None:
        return _(
            "The advisory committee approved the request for %(amount)s.", amount=amount.format()
        )
    if result.outcome is BallotOutcome.REJECTED:
        return _("The advisory committee did not approve the request.")
    if not result.quorum_met:
        return _(
            "Too few committee members voted before the deadline; the request will go to a new ballot."
        )
    return _("The committee was evenly divided; the request will go to a new ballot.")


def close_ballot(
    session: Session,
    actor: User | None,
    application: Application,
    *,
    approved_amount: str | None = None,
    reasons: str = "",
) -> tuple[Ballot, Tally]:
    """Close the open ballot and decide. `actor` None is the scheduled job at the deadline."""
    ballot = ballots.latest_ballot(session, application)
    BALLOT_WORKFLOW.check(ballot, "close", actor)
    result = tally(ballot, settings.get(session, "quorum_percent"))
    amount_minor = (
        _approved_amount(application, ballot, approved_amount)
        if result.outcome is BallotOutcome.APPROVED
        else None
    )
    amount = Money(amount_minor, application.currency) if amount_minor is not None else None
    minutes = {
        "application": application.reference,
        "outcome": result.outcome.value,
        "quorum_met": result.quorum_met,
        "tally": result.as_dict(),
        "not_voting": result.not_voting,
        "votes": {v.member.user.email: v.choice.value for v in ballot.votes},
        "approved_amount": amount.as_string() if amount else None,
    }
    now = utcnow()
    # The closing facts go with the status (the table's CHECKs tie them): set them, then
    # apply the transition, with no query in between to flush them half-done.
    ballot.closed_at = now
    ballot.closed_by_id = actor.id if actor is not None else None
    ballot.outcome = result.outcome
    ballot.quorum_met = result.quorum_met
    ballot.approve_count, ballot.reject_count, ballot.abstain_count = (
        result.approve,
        result.reject,
        result.abstain,
    )
    ballot.recused_count, ballot.not_voting_count = result.recused, result.not_voting
    BALLOT_WORKFLOW.apply(session, ballot, "close", actor, data=minutes)
    if amount_minor is not None:
        application.approved_amount_minor = amount_minor
    if result.outcome in (BallotOutcome.APPROVED, BallotOutcome.REJECTED):
        application.decided_at = now
    application.decision_reasons = (reasons or "").strip()[:5000] or default_reasons(result, amount)
    APPLICATION_WORKFLOW.apply(session, application, OUTCOME_ACTIONS[result.outcome], actor)
    if result.outcome is BallotOutcome.APPROVED:
        # Approval hands over to the grant side: the grant, and its commitment if funds allow.
        grants.create_for_application(session, application, actor)
    for member in ballot.members:
        mail.queue(
            session,
            member.user,
            "ballot_closed",
            {"ballot": ballot, "application": application, "tally": result},
        )
    return ballot, result


def close_expired(session: Session) -> int:
    """Close every ballot whose deadline passed (the job; safe to run twice).

    Each close runs in its own savepoint: one that fails is rolled back alone and logged,
    and the others are still closed; the next run tries it again."""
    due = (
        session.execute(
            select(Ballot.application_id)
            .where(Ballot.status == BallotStatus.OPEN, Ballot.deadline <= utcnow())
            .order_by(Ballot.deadline)
        )
        .scalars()
        .all()
    )
    closed = 0
    for application_id in due:
        application = session.get(Application, application_id)
        if application is None or application.status_enum is not ApplicationStatus.IN_REVIEW:
            continue
        reference = application.reference
        try:
            with session.begin_nested():
                close_ballot(session, None, application)
        except Exception:
            log.exception("closing the expired ballot on %s failed; left open", reference)
            continue
        closed += 1
    return closed
