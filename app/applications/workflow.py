"""The application's transition table (design.md §3): the only way its status changes."""

from __future__ import annotations

from app.applications import notifications
from app.applications.checks import require_complete, require_eligible
from app.applications.models import ApplicationStatus as S
from app.core.roles import Role
from app.core.workflow import Transition, Workflow

APPLICANT = frozenset({Role.APPLICANT})
SECRETARIAT = frozenset({Role.SECRETARIAT})


APPLICATION_WORKFLOW: Workflow[S] = Workflow(
    "application",
    S,
    [
        Transition(
            S.DRAFT, "submit", S.SUBMITTED, APPLICANT, require_complete, (notifications.submitted,)
        ),
        Transition(
            S.RETURNED,
            "submit",
            S.SUBMITTED,
            APPLICANT,
            require_complete,
            (notifications.submitted,),
        ),
        Transition(S.DRAFT, "withdraw", S.WITHDRAWN, APPLICANT),
        Transition(
            S.SUBMITTED, "withdraw", S.WITHDRAWN, APPLICANT, effects=(notifications.withdrawn,)
        ),
        Transition(
            S.RETURNED, "withdraw", S.WITHDRAWN, APPLICANT, effects=(notifications.withdrawn,)
        ),
        Transition(S.SUBMITTED, "mark_eligible", S.IN_REVIEW, SECRETARIAT, require_eligible),
        Transition(
            S.SUBMITTED, "return", S.RETURNED, SECRETARIAT, effects=(notifications.returned,)
        ),
        Transition(
            S.SUBMITTED,
            "mark_ineligible",
            S.INELIGIBLE,
            SECRETARIAT,
            effects=(notifications.ineligible,),
        ),
        Transition(
            S.IN_REVIEW,
            "approve",
            S.APPROVED,
            SECRETARIAT,
            effects=(notifications.decided,),
            system=True,
        ),
        Transition(
            S.IN_REVIEW,
            "reject",
            S.REJECTED,
            SECRETARIAT,
            effects=(notifications.decided,),
            system=True,
        ),
        Transition(
            S.IN_REVIEW,
            "defer",
            S.DEFERRED,
            SECRETARIAT,
            effects=(notifications.decided,),
            system=True,
        ),
        Transition(S.DEFERRED, "reopen", S.IN_REVIEW, SECRETARIAT),
    ],
)
