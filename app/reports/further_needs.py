"""A report's further needs become the State's next request, pre-filled from the project."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.applications import services as applications
from app.applications.models import Application
from app.applications.specs import (
    ApplicationSpec,
    ExpertiseSpec,
    IndicatorSpec,
    OverviewSpec,
    RecommendationSpec,
)
from app.auth.models import User
from app.core import audit
from app.core.errors import TransitionNotAllowed, ValidationError
from app.recommendations.models import ImplementationStatus
from app.reports.models import Report, ReportStatus
from app.reports.services import require_state


def follow_up_application(session: Session, actor: User, report: Report) -> Application:
    """A new draft request, pre-filled from an accepted report: its further needs as the
    summary, the project's themes, SDGs, implementing entity, currency and expertise wanted,
    the linked recommendations the report does not call implemented, and the indicators
    starting from the values the report measured. One per report: asked again, it returns
    the request already drafted."""
    require_state(actor, report)
    if report.follow_up is not None:
        return report.follow_up
    if report.status_enum is not ReportStatus.ACCEPTED:
        raise TransitionNotAllowed(
            _("a new request is built on an accepted report"),
            fields={"status": report.status_enum.value},
        )
    if not report.further_needs.strip():
        raise ValidationError(
            _("the report names no further needs to build a new request on"),
            fields={"further_needs": "empty"},
        )
    original = report.grant.application
    done = {
        row.recommendation_id
        for row in report.recommendations
        if row.status_enum is ImplementationStatus.IMPLEMENTED
    }
    measured = {row.indicator_id: row.actual.strip() for row in report.indicators}
    spec = ApplicationSpec(
        overview=OverviewSpec(
            title=f"Follow-up: {original.title}"[:200],
            summary=report.further_needs.strip()[:5000],
            themes=[t.code for t in original.themes],
            sdgs=[s.number for s in original.sdgs],
            implementing_entity=original.implementing_entity,
        ),
        currency=original.currency,
        recommendations=[
            RecommendationSpec(r.mechanism_code, r.reference, r.text, r.recommending_body, r.cycle)
            for r in original.recommendations
            if r.id not in done
        ],
        # Where the project left each indicator is where the next one starts from.
        indicators=[
            IndicatorSpec(i.name, measured.get(i.id) or i.baseline, i.target, i.result)
            for i in original.indicators
        ],
        expertise=ExpertiseSpec(
            themes=[t.code for t in original.expertise_themes],
            languages=original.language_codes,
        ),
    )
    application = applications.create_application(session, actor, spec)
    report.follow_up = application
    audit.record(
        session,
        "report.follow_up",
        report,
        actor=actor,
        data={"application": application.reference},
    )
    return application
