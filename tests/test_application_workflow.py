"""Every (status, action, role) of the application table: allowed exactly where the table
says, refused everywhere else (design.md §3), through the one runner."""

import itertools

import pytest

from app.applications.models import ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.core.errors import DomainError, PermissionDenied, TransitionNotAllowed
from app.core.roles import Role
from app.extensions import db
from tests import builders

EXPECTED = {
    # (from, action): (to, roles)
    ("draft", "submit"): ("submitted", {"applicant"}),
    ("returned", "submit"): ("submitted", {"applicant"}),
    ("draft", "withdraw"): ("withdrawn", {"applicant"}),
    ("submitted", "withdraw"): ("withdrawn", {"applicant"}),
    ("returned", "withdraw"): ("withdrawn", {"applicant"}),
    ("submitted", "mark_eligible"): ("in_review", {"secretariat"}),
    ("submitted", "return"): ("returned", {"secretariat"}),
    ("submitted", "mark_ineligible"): ("ineligible", {"secretariat"}),
    ("in_review", "approve"): ("approved", {"secretariat"}),
    ("in_review", "reject"): ("rejected", {"secretariat"}),
    ("in_review", "defer"): ("deferred", {"secretariat"}),
    ("deferred", "reopen"): ("in_review", {"secretariat"}),
}
SYSTEM_ACTIONS = {"approve", "reject", "defer"}


def test_the_table_is_exactly_the_design():
    table = {
        (src, action): (dst, set(roles)) for src, action, dst, roles in APPLICATION_WORKFLOW.table()
    }
    assert table == EXPECTED


class Actor:
    def __init__(self, role: Role) -> None:
        self.id = 1
        self.email = f"{role.value}@test.example"
        self.role_enum = role


CASES = list(
    itertools.product(list(ApplicationStatus), sorted(APPLICATION_WORKFLOW.actions), list(Role))
)


@pytest.mark.parametrize(("status", "action", "role"), CASES, ids=lambda v: str(v))
def test_status_action_role(factory, status, action, role):
    """Check on a complete, eligible application so only the table decides."""
    applicant = factory.user("applicant", state="FJI")
    application = builders.application(applicant)
    application.status = status
    expected = EXPECTED.get((status.value, action))
    actor = Actor(role)
    if expected is not None and role.value in expected[1]:
        transition = APPLICATION_WORKFLOW.check(application, action, actor)
        assert transition.target.value == expected[0]
    else:
        with pytest.raises((PermissionDenied, TransitionNotAllowed)):
            APPLICATION_WORKFLOW.check(application, action, actor)
    db.session.rollback()


@pytest.mark.parametrize("action", sorted(APPLICATION_WORKFLOW.actions))
def test_only_decisions_may_be_taken_by_the_scheduler(factory, action):
    applicant = factory.user("applicant")
    application = builders.application(applicant)
    source = next(src for src, act in EXPECTED if act == action)
    application.status = source
    if action in SYSTEM_ACTIONS:
        assert (
            APPLICATION_WORKFLOW.check(application, action, None).target.value
            == EXPECTED[(source, action)][0]
        )
    else:
        with pytest.raises(DomainError):
            APPLICATION_WORKFLOW.check(application, action, None)
    db.session.rollback()


def test_an_incomplete_draft_cannot_be_submitted(factory):
    applicant = factory.user("applicant")
    application = builders.application(applicant, recommendations=[])
    with pytest.raises(DomainError, match="link at least one recommendation"):
        APPLICATION_WORKFLOW.check(application, "submit", Actor(Role.APPLICANT))


def test_an_ineligible_request_cannot_be_marked_eligible(factory):
    applicant = factory.user("applicant")
    application = builders.application(applicant, consent=None)
    application.status = ApplicationStatus.SUBMITTED
    with pytest.raises(DomainError, match="consent"):
        APPLICATION_WORKFLOW.check(application, "mark_eligible", Actor(Role.SECRETARIAT))
    db.session.rollback()
