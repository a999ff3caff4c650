"""The roster's two transition tables: an expert's vetting, and a deployment (DESIGN §3.4)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.core.database import today
from app.core.errors import Conflict, ValidationError
from app.core.roles import Role
from app.core.workflow import Transition, Workflow
from app.roster import notifications
from app.roster.models import DeploymentStatus as D
from app.roster.models import ExpertStatus as E

SECRETARIAT = frozenset({Role.SECRETARIAT})
EXPERT = frozenset({Role.EXPERT})
APPLICANT = frozenset({Role.APPLICANT})


def _profile_complete(expert: Any, actor: Any) -> None:
    missing = [
        label
        for label, present in (
            # Without it, matching could not keep an expert out of its own State's missions.
            (_("nationality"), expert.nationality),
            (_("languages"), expert.languages),
            (_("themes of expertise"), expert.themes),
            (_("years of experience"), expert.years_experience is not None),
            (_("daily rate"), expert.daily_rate_minor is not None),
        )
        if not present
    ]
    if missing:
        raise ValidationError(
            _(
                "the profile is not complete enough to vet: it lacks %(missing)s",
                missing=", ".join(missing),
            ),
            fields={"profile": "incomplete"},
        )


def _mission_started(deployment: Any, actor: Any) -> None:
    if deployment.start_date > today():
        raise Conflict(
            _(
                "the mission report is filed once the mission has started (%(start)s)",
                start=deployment.start_date.isoformat(),
            )
        )


EXPERT_WORKFLOW: Workflow[E] = Workflow(
    "expert",
    E,
    [
        Transition(
            E.APPLIED, "approve", E.ACTIVE, SECRETARIAT, _profile_complete, (notifications.vetted,)
        ),
        Transition(E.APPLIED, "reject", E.REJECTED, SECRETARIAT, effects=(notifications.vetted,)),
        Transition(E.ACTIVE, "deactivate", E.INACTIVE, SECRETARIAT),
        Transition(E.INACTIVE, "reactivate", E.ACTIVE, SECRETARIAT, _profile_complete),
        # A turned-down expert who improves the profile asks to be considered again.
        Transition(E.REJECTED, "reapply", E.APPLIED, EXPERT),
    ],
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
