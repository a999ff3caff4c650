"""The ballot's transition table (design.md §3.2): the only way a ballot changes.

A ballot is opened (created) by the screening or by reopening a deferred request, then:

    open ─close→ closed ─reopen→ closed (the deferred request goes to a new ballot)
    open ─vote / change_vote / recuse→ open (a member acts; the status stays)

The guards say which member may act: one who sits on this ballot, is not recused, and acts
before the deadline. The scheduled job closes only after the deadline.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.applications.models import ApplicationStatus
from app.auth.models import User
from app.committee.models import Ballot, BallotMember, BallotOutcome
from app.committee.models import BallotStatus as S
from app.core.database import utcnow
from app.core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from app.core.roles import Role
from app.core.workflow import Transition, Workflow

COMMITTEE = frozenset({Role.COMMITTEE})
SECRETARIAT = frozenset({Role.SECRETARIAT})


def sitting_member(ballot: Ballot, actor: User | None) -> BallotMember:
    """The actor's seat on this ballot, if it sits and is not recused."""
    member = ballot.member_for(actor) if actor is not None else None
    if member is None:
        raise PermissionDenied(_("you are not a member of this ballot"))
    if member.recused:
        raise PermissionDenied(_("you are recused from this ballot and cannot vote or discuss it"))
    return member


def _before_deadline(ballot: Ballot) -> None:
    if ballot.deadline <= utcnow():
        raise TransitionNotAllowed(_("the ballot's deadline has passed; it is being closed"))


def _may_vote(ballot: Ballot, actor: User | None) -> None:
    _before_deadline(ballot)
    if ballot.vote_of(sitting_member(ballot, actor)) is not None:
        raise Conflict(_("you have voted already: change your vote instead"))


def _may_change_vote(ballot: Ballot, actor: User | None) -> None:
    _before_deadline(ballot)
    if ballot.vote_of(sitting_member(ballot, actor)) is None:
        raise Conflict(_("you have not voted yet: there is no vote to change"))


def _may_recuse(ballot: Ballot, actor: User | None) -> None:
    _before_deadline(ballot)
    sitting_member(ballot, actor)


def _may_close(ballot: Ballot, actor: User | None) -> None:
    if actor is None and ballot.deadline > utcnow():
        raise Conflict(_("the scheduler closes a ballot only after its deadline"))


def _deferred(ballot: Ballot, actor: User | None) -> None:
    if (
        ballot.outcome != BallotOutcome.DEFERRED
        or ballot.application.status_enum is not ApplicationStatus.DEFERRED
    ):
        status = ballot.application.status_enum.value
        raise TransitionNotAllowed(
            _(
                "only a deferred request goes to a new ballot (its status is %(status)s)",
                status=status,
            ),
            fields={"status": status},
        )


BALLOT_WORKFLOW: Workflow[S] = Workflow(
    "ballot",
    S,
    [
        Transition(S.OPEN, "vote", S.OPEN, COMMITTEE, _may_vote, event="vote.cast"),
        Transition(S.OPEN, "change_vote", S.OPEN, COMMITTEE, _may_change_vote, event="vote.change"),
        Transition(S.OPEN, "recuse", S.OPEN, COMMITTEE, _may_recuse),
        Transition(S.OPEN, "close", S.CLOSED, SECRETARIAT, _may_close, system=True),
        Transition(S.CLOSED, "reopen", S.CLOSED, SECRETARIAT, _deferred),
    ],
)
