"""An expert's vetting: its transition table (design.md §3.4)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import User
from app.core.errors import ValidationError
from app.core.roles import Role
from app.core.workflow import Transition, Workflow
from app.experts import notifications
from app.experts.models import Expert
from app.experts.models import ExpertStatus as E

SECRETARIAT = frozenset({Role.SECRETARIAT})
EXPERT = frozenset({Role.EXPERT})


def _profile_complete(expert: Expert, actor: User | None) -> None:
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
