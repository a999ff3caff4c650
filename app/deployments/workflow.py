"""A deployment's transition table (design.md §3.4)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import User
from app.core.database import today
from app.core.errors import Conflict
from app.core.roles import Role
from app.core.workflow import Transition, Workflow
from app.deployments import notifications
from app.deployments.models import Deployment
from app.deployments.models import DeploymentStatus as D

SECRETARIAT = frozenset({Role.SECRETARIAT})
EXPERT = frozenset({Role.EXPERT})
APPLICANT = frozenset({Role.APPLICANT})


def _mission_started(deployment: Deployment, actor: User | None) -> None:
    if deployment.start_date > today():
        raise Conflict(
            _(
                "the mission report is filed once the mission has started (%(start)s)",
                start=deployment.start_date.isoformat(),
            )
        )


_CANCELLABLE = (D.PROPOSED, D.ACCEPTED, D.SCHEDULED, D.REPORTED, D.REVISION_REQUESTED)

DEPLOYMENT_WORKFLOW: Workflow[D] = Workflow(
    "deployment",
    D,
    [
        Transition(D.PROPOSED, "accept", D.ACCEPTED, EXPERT, effects=(notifications.accepted,)),
        Transition(D.PROPOSED, "decline", D.DECLINED, EXPERT, effects=(notifications.declined,)),
        Transition(
            D.ACCEPTED, "consent", D.SCHEDULED, APPLICANT, effects=(notifications.consented,)
        ),
        Transition(
            D.ACCEPTED, "refuse", D.CANCELLED, APPLICANT, effects=(notifications.consent_refused,)
        ),
        Transition(
            D.SCHEDULED,
            "report",
            D.REPORTED,
            EXPERT,
            _mission_started,
            (notifications.reported,),
        ),
        Transition(
            D.REVISION_REQUESTED, "report", D.REPORTED, EXPERT, effects=(notifications.reported,)
        ),
        Transition(
            D.REPORTED, "complete", D.COMPLETED, SECRETARIAT, effects=(notifications.completed,)
        ),
        Transition(
            D.REPORTED,
            "request_revision",
            D.REVISION_REQUESTED,
            SECRETARIAT,
            effects=(notifications.revision_requested,),
        ),
        *(
            Transition(
                status, "cancel", D.CANCELLED, SECRETARIAT, effects=(notifications.cancelled,)
            )
            for status in _CANCELLABLE
        ),
    ],
)
