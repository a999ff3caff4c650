"""The report's and the success story's transition tables (design.md §3.5)."""

from __future__ import annotations

from app.core.roles import Role
from app.core.workflow import Transition, Workflow
from app.reports import notifications
from app.reports.models import ReportStatus as R
from app.reports.models import StoryStatus as S

SECRETARIAT = frozenset({Role.SECRETARIAT})
APPLICANT = frozenset({Role.APPLICANT})
BOTH = frozenset({Role.SECRETARIAT, Role.APPLICANT})

REPORT_WORKFLOW: Workflow[R] = Workflow(
    "report",
    R,
    [
        Transition(R.DUE, "submit", R.SUBMITTED, APPLICANT, effects=(notifications.submitted,)),
        Transition(
            R.REVISION_REQUESTED,
            "submit",
            R.SUBMITTED,
            APPLICANT,
            effects=(notifications.submitted,),
        ),
        Transition(
            R.SUBMITTED, "accept", R.ACCEPTED, SECRETARIAT, effects=(notifications.reviewed,)
        ),
        Transition(
            R.SUBMITTED,
            "request_revision",
            R.REVISION_REQUESTED,
            SECRETARIAT,
            effects=(notifications.reviewed,),
        ),
    ],
)

STORY_WORKFLOW: Workflow[S] = Workflow(
    "story",
    S,
    [
        Transition(
            S.DRAFT,
            "request_consent",
            S.AWAITING_CONSENT,
            SECRETARIAT,
            effects=(notifications.story_consent_requested,),
        ),
        Transition(
            S.AWAITING_CONSENT,
            "consent",
            S.PUBLISHED,
            APPLICANT,
            effects=(notifications.story_published,),
        ),
        Transition(
            S.AWAITING_CONSENT,
            "decline",
            S.DRAFT,
            APPLICANT,
            effects=(notifications.story_declined,),
        ),
        Transition(S.DRAFT, "withdraw", S.WITHDRAWN, SECRETARIAT),
        Transition(S.AWAITING_CONSENT, "withdraw", S.WITHDRAWN, SECRETARIAT),
        # Either side may take a published story down; the State's consent can be withdrawn.
        Transition(S.PUBLISHED, "withdraw", S.WITHDRAWN, BOTH),
    ],
)
