"""Every (status, action, role) of the ballot table: allowed exactly where the table says,
refused everywhere else (design.md §3), through the one runner; and the services go through it."""

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.committee import ballots, decisions
from app.committee.models import BallotOutcome, BallotStatus
from app.committee.workflow import BALLOT_WORKFLOW
from app.core.audit import AuditEvent
from app.core.database import utcnow
from app.core.errors import Conflict, DomainError, PermissionDenied, TransitionNotAllowed
from app.core.roles import Region, Role
from app.extensions import db
from tests import builders

EXPECTED = {
    # (from, action): (to, roles)
    ("open", "vote"): ("open", {"committee"}),
    ("open", "change_vote"): ("open", {"committee"}),
    ("open", "recuse"): ("open", {"committee"}),
    ("open", "close"): ("closed", {"secretariat"}),
    ("closed", "reopen"): ("closed", {"secretariat"}),
}
SYSTEM_ACTIONS = {"close"}


def test_the_table_is_exactly_the_design():
    table = {
        (src, action): (dst, set(roles)) for src, action, dst, roles in BALLOT_WORKFLOW.table()
    }
    assert table == EXPECTED


class Actor:
    def __init__(self, role: Role, user_id: int = 0) -> None:
        self.id = user_id
        self.email = f"{role.value}@test.example"
        self.role_enum = role


def _ballot(factory, staff, board, status, action):
    """A ballot where every guard passes for the African member (who has voted when the
    action is to change the vote), so that only the table decides."""
    application = builders.application(
        factory.user("applicant", state="FJI"), "in_review", secretariat=staff
    )
    if action == "change_vote":
        ballots.cast_vote(db.session(), board.member(Region.AFRICAN), application, "approve")
    ballot = ballots.current_ballot(db.session(), application)
    if status is BallotStatus.CLOSED:
        # A deferred request whose ballot is closed, as reopening needs.
        ballot.status, ballot.outcome, ballot.closed_at = status, BallotOutcome.DEFERRED, utcnow()
        application.status = "deferred"
    return ballot


CASES = list(itertools.product(list(BallotStatus), sorted(BALLOT_WORKFLOW.actions), list(Role)))


@pytest.mark.parametrize(("status", "action", "role"), CASES, ids=lambda v: str(v))
def test_status_action_role(factory, staff, board, status, action, role):
    ballot = _ballot(factory, staff, board, status, action)
    member = board.member(Region.AFRICAN)
    actor = Actor(role, member.id if role is Role.COMMITTEE else staff.id)
    expected = EXPECTED.get((status.value, action))
    if expected is not None and role.value in expected[1]:
        transition = BALLOT_WORKFLOW.check(ballot, action, actor)
        assert transition.target.value == expected[0]
    else:
        with pytest.raises((PermissionDenied, TransitionNotAllowed)):
            BALLOT_WORKFLOW.check(ballot, action, actor)
    db.session.rollback()


@pytest.mark.parametrize("action", sorted(BALLOT_WORKFLOW.actions))
def test_only_closing_may_be_done_by_the_scheduler(factory, staff, board, action):
    source = next(src for src, act in EXPECTED if act == action)
    ballot = _ballot(factory, staff, board, BallotStatus(source), action)
    ballot.deadline = utcnow() - timedelta(minutes=1)
    if action in SYSTEM_ACTIONS:
        assert BALLOT_WORKFLOW.check(ballot, action, None).target.value == "closed"
    else:
        with pytest.raises(DomainError):
            BALLOT_WORKFLOW.check(ballot, action, None)
    db.session.rollback()


# -- the guards --------------------------------------------------------------------------------------


def test_the_guards_say_who_may_act_on_an_open_ballot(factory, staff):
    board = builders.committee(factory, staff, nationality={Region.ASIA_PACIFIC: "FJI"})
    application = builders.application(
        factory.user("applicant", state="FJI"), "in_review", secretariat=staff
    )
    ballot = ballots.current_ballot(db.session(), application)
    outsider = factory.user("committee", region="weog", state="DEU")
    with pytest.raises(PermissionDenied, match="not a member"):
        BALLOT_WORKFLOW.check(ballot, "vote", outsider)
    for action in ("vote", "recuse"):
        with pytest.raises(PermissionDenied, match="recused"):
            BALLOT_WORKFLOW.check(ballot, action, board.member(Region.ASIA_PACIFIC))
    member = board.member(Region.AFRICAN)
    with pytest.raises(Conflict, match="not voted yet"):
        BALLOT_WORKFLOW.check(ballot, "change_vote", member)
    ballots.cast_vote(db.session(), member, application, "approve")
    with pytest.raises(Conflict, match="voted already"):
        BALLOT_WORKFLOW.check(ballot, "vote", member)
    with pytest.raises(Conflict, match="only after its deadline"):
        BALLOT_WORKFLOW.check(ballot, "close", None)
    ballot.deadline = utcnow() - timedelta(minutes=1)
    for action in ("change_vote", "recuse"):
        with pytest.raises(TransitionNotAllowed, match="deadline has passed"):
            BALLOT_WORKFLOW.check(ballot, action, member)
    db.session.rollback()


def test_only_a_deferred_request_is_reopened(factory, staff, board):
    application = builders.application(
        factory.user("applicant", state="FJI"),
        "approved",
        secretariat=staff,
        votes={board.member(r): "approve" for r in (Region.AFRICAN, Region.GRULAC, Region.WEOG)},
    )
    with pytest.raises(TransitionNotAllowed, match="approved"):
        ballots.reopen(db.session(), staff, application, utcnow() + timedelta(days=7))


# -- the services go through the table ------------------------------------------------------------------


def test_every_ballot_change_is_a_transition_with_its_audit_event(factory, staff, board):
    application = builders.application(
        factory.user("applicant", state="FJI"), "in_review", secretariat=staff
    )
    member = board.member(Region.AFRICAN)
    ballots.cast_vote(db.session(), member, application, "approve")
    ballots.cast_vote(db.session(), member, application, "reject")
    ballots.declare_conflict(db.session(), board.member(Region.WEOG), application, "conflict")
    first, _tally = decisions.close_ballot(db.session(), staff, application)
    assert first.status == "closed" and application.status == "deferred"  # no quorum
    ballots.reopen(db.session(), staff, application, utcnow() + timedelta(days=7))
    ballot_id = first.id
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.data)
        .where(AuditEvent.object_type == "ballot", AuditEvent.object_id == str(ballot_id))
        .order_by(AuditEvent.id)
    ).all()
    assert [action for action, _data in events] == [
        "ballot.open",
        "vote.cast",
        "vote.change",
        "ballot.recuse",
        "ballot.close",
        "ballot.reopen",
    ]
    by_action = dict(events)
    assert (
        '"from":"open"' in by_action["ballot.close"]
        and '"to":"closed"' in by_action["ballot.close"]
    )
    # a self-transition keeps the status: no from/to of its own; a change names the choices
    assert '"from"' not in by_action["ballot.recuse"]
    assert (
        '"from":"approve"' in by_action["vote.change"]
        and '"to":"reject"' in by_action["vote.change"]
    )
    assert ballots.current_ballot(db.session(), application).number == 2
