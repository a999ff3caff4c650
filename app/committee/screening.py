"""The secretariat's screening: the queue, the eligibility checklist and the three outcomes.
An eligible request goes to the committee: screening opens its ballot, so it lives here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.applications.workflow import APPLICATION_WORKFLOW
from app.auth.models import User
from app.committee import ballots
from app.core.database import utcnow
from app.core.errors import ValidationError
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    RETURNED = "returned"
    INELIGIBLE = "ineligible"


def default_referral() -> str:
    """Recorded when an ineligible request is screened without a referral of its own."""
    return _(
        "Referred to other sources of support (another fund, or an offer of expertise): "
        "see the reasons given."
    )


ACTIONS = {
    Outcome.ELIGIBLE: "mark_eligible",
    Outcome.RETURNED: "return",
    Outcome.INELIGIBLE: "mark_ineligible",
}


def queue(session: Session, actor: User, *, page: int = 1) -> Page[Application]:
    """Submitted applications, the longest-waiting first."""
    require_role(actor, Role.SECRETARIAT)
    stmt = (
        select(Application)
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .order_by(Application.first_submitted_at.asc(), Application.id.asc())
    )
    return paginate(session, stmt, page=page, per_page=50)


def screen(
    session: Session,
    actor: User,
    application: Application,
    outcome: Outcome | str,
    *,
    note: str = "",
    referral: str = "",
    deadline: datetime | None = None,
) -> Application:
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ValidationError(
            _("the outcome must be eligible, returned or ineligible"), fields={"outcome": "unknown"}
        ) from None
    note = (note or "").strip()[:5000]
    referral = (referral or "").strip()[:5000]
    if outcome is Outcome.RETURNED and not note:
        raise ValidationError(_("say what the State should fix"), fields={"note": "required"})
    if outcome is Outcome.INELIGIBLE and not note:
        raise ValidationError(_("give the reason it is not eligible"), fields={"note": "required"})
    if outcome is Outcome.INELIGIBLE and not referral:
        # design.md's API body is {outcome, note}: the reasons then carry the referral, and the
        # State is still told, in so many words, that it is referred on, not turned away.
        referral = default_referral()
    if outcome is Outcome.ELIGIBLE and deadline is not None and deadline <= utcnow():
        raise ValidationError(
            _("the ballot deadline must be in the future"), fields={"deadline": "in the past"}
        )
    # Check first, then record the note, so the notification the transition sends carries it.
    APPLICATION_WORKFLOW.check(application, ACTIONS[outcome], actor)
    application.screened_at = utcnow()
    application.screening_note = note
    if outcome is Outcome.INELIGIBLE:
        application.referral = referral
        application.decision_reasons = note
    APPLICATION_WORKFLOW.apply(
        session, application, ACTIONS[outcome], actor, data={"note": note, "referral": referral}
    )
    if outcome is Outcome.ELIGIBLE:
        ballots.open_ballot(
            session, actor, application, deadline or ballots.default_deadline(session)
        )
    return application
