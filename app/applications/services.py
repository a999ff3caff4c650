"""Drafting, submitting and withdrawing applications, and who may see which.

Every function takes the acting user, checks it, changes the application and writes the
audit event. The forms and the API hand it *Spec objects, checked and cleaned by specs.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import FileStorage

from app import signals
from app.applications import specs
from app.applications.models import (
    COMMITTEE_VISIBLE,
    Application,
    ApplicationStatus,
    ApplicationVersion,
    BudgetLine,
    Indicator,
    Recommendation,
)
from app.applications.specs import (
    ApplicationSpec,
    BudgetLineSpec,
    ConsentSpec,
    ExpertiseSpec,
    IndicatorSpec,
    OverviewSpec,
    RecommendationSpec,
)
from app.applications.versions import dumps, snapshot
from app.applications.workflow import APPLICATION_WORKFLOW
from app.auth.models import User
from app.core import audit, uploads
from app.core.database import today, utcnow
from app.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from app.core.pagination import Page, paginate
from app.core.roles import Role
from app.core.sequences import yearly_reference

# -- who sees what -------------------------------------------------------------------------------


def _on_a_ballot(user: User) -> ColumnElement[bool]:
    """The committee member sits (or sat) on one of the application's ballots, as the
    committee package answers (`signals.committee_reach`); without an answer, nothing."""
    reach = [found for _receiver, found in signals.committee_reach.send(user)]
    return or_(*reach) if reach else false()


def can_view(user: User, application: Application) -> bool:
    """By role and status; a committee member must also be on one of its ballots, which
    `get_application_for` and `visible_query` check in the database."""
    role = user.role_enum
    if role is Role.APPLICANT:
        return user.state_iso3 == application.state_iso3
    if role is Role.SECRETARIAT:
        return application.was_submitted  # a draft is the State's own working space
    if role is Role.COMMITTEE:
        return application.status_enum in COMMITTEE_VISIBLE
    return role is Role.AUDITOR


def get_application_for(
    session: Session, user: User, application_id: int, *, lock: bool = False
) -> Application:
    """The application if `user` may see it; 404 otherwise (it may not even exist for them)."""
    stmt = select(Application).where(Application.id == application_id)
    if user.role_enum is Role.COMMITTEE:
        stmt = stmt.where(_on_a_ballot(user))
    if lock:
        stmt = stmt.with_for_update(of=Application)
    application = session.execute(stmt).unique().scalar_one_or_none()
    if application is None or not can_view(user, application):
        raise NotFound(_("no such application"))
    return application


def visible_query(user: User) -> Select[Any]:
    stmt = select(Application)
    role = user.role_enum
    if role is Role.APPLICANT:
        return stmt.where(Application.state_iso3 == user.state_iso3)
    if role is Role.SECRETARIAT:
        return stmt.where(Application.version > 0)
    if role is Role.COMMITTEE:
        return stmt.where(Application.status.in_(list(COMMITTEE_VISIBLE)), _on_a_ballot(user))
    if role is Role.AUDITOR:
        return stmt
    raise PermissionDenied(_("your role does not see applications"))


SORTS: dict[str, Any] = {
    "newest": Application.created_at.desc(),
    "oldest": Application.created_at.asc(),
    "reference": Application.reference.asc(),
    "amount": Application.requested_amount_minor.desc(),
}


def list_for(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    state: str | None = None,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 25,
) -> Page[Application]:
    stmt = visible_query(user)
    if status in {s.value for s in ApplicationStatus}:
        stmt = stmt.where(Application.status == status)
    if state:
        stmt = stmt.where(Application.state_iso3 == state.upper()[:3])
    stmt = stmt.order_by(SORTS.get(sort, SORTS["newest"]), Application.id.desc())
    return paginate(session, stmt, page=page, per_page=per_page)


# -- editing ---------------------------------------------------------------------------------------


def require_editor(actor: User, application: Application) -> None:
    if actor.role_enum is not Role.APPLICANT or actor.state_iso3 != application.state_iso3:
        raise PermissionDenied(_("only the State's focal point edits its application"))
    if not application.is_editable:
        status = application.status_enum.value
        raise TransitionNotAllowed(
            _("cannot edit an application whose status is %(status)s", status=status),
            fields={"status": status},
        )


def _edited(session: Session, actor: User, application: Application, section: str) -> None:
    application.updated_at = utcnow()
    audit.record(session, "application.edit", application, actor=actor, data={"section": section})


def create_application(session: Session, actor: User, spec: ApplicationSpec) -> Application:
    """A new draft for the actor's State, with whatever content the spec carries."""
    if actor.role_enum is not Role.APPLICANT or not actor.state_iso3:
        raise PermissionDenied(_("only a State's focal point creates applications"))
    currency = specs.currency(spec.currency)
    for rows, name in (
        (spec.recommendations, "recommendations"),
        (spec.indicators, "indicators"),
        (spec.budget, "budget lines"),
    ):
        specs.row_limit([], name, adding=len(rows))
    overview = _clean_overview(session, spec.overview)
    recommendations = [specs.clean_recommendation(session, r) for r in spec.recommendations]
    indicators = [specs.clean_indicator(i) for i in spec.indicators]
    lines = [specs.clean_budget_line(b, currency) for b in spec.budget]
    expertise = _clean_expertise(session, spec.expertise)
    cofinancing = (
        specs.amount(spec.cofinancing_amount, currency, "cofinancing_amount")
        if spec.cofinancing_amount
        else None
    )
    application = Application(
        reference=yearly_reference(session, "SPTF", today().year),
        state_iso3=actor.state_iso3,
        created_by_id=actor.id,
        status=ApplicationStatus.DRAFT,
        currency=currency,
        cofinancing_amount_minor=cofinancing,
        cofinancing_note=specs.text(spec.cofinancing_note, "cofinancing_note"),
        **{k: v for k, v in overview.items() if k not in ("themes", "sdgs")},
    )
    application.themes = overview["themes"]
    application.sdgs = overview["sdgs"]
    application.expertise_themes = expertise["themes"]
    application.expertise_languages = " ".join(expertise["languages"])
    application.expertise_person_days = expertise["person_days"]
    application.recommendations = [Recommendation(**r) for r in recommendations]
    application.indicators = [Indicator(**i) for i in indicators]
    application.budget_lines = [BudgetLine(**b) for b in lines]
    total = sum(b["amount_minor"] for b in lines)
    specs.check_total(session, application, total)
    application.requested_amount_minor = total
    session.add(application)
    if spec.consent is not None:
        _apply_consent(application, actor, spec.consent)
    session.flush()
    audit.record(
        session,
        "application.create",
        application,
        actor=actor,
        data={"reference": application.reference},
    )
    return application


def _clean_overview(session: Session, spec: OverviewSpec) -> dict[str, Any]:
    return {
        "title": specs.text(spec.title, "title", required=True, limit=200),
        "summary": specs.text(spec.summary, "summary"),
        "objectives": specs.text(spec.objectives, "objectives"),
        "activities": specs.text(spec.activities, "activities"),
        "duration_months": specs.positive_int(
            spec.duration_months, "duration_months", low=1, high=60
        ),
        "implementing_entity": specs.text(
            spec.implementing_entity, "implementing_entity", limit=300
        ),
        "themes": specs.themes(session, spec.themes),
        "sdgs": specs.sdgs(session, spec.sdgs),
    }


def _clean_expertise(session: Session, spec: ExpertiseSpec) -> dict[str, Any]:
    return {
        "themes": specs.themes(session, spec.themes, "expertise_themes"),
        "languages": specs.languages(spec.languages),
        "person_days": specs.positive_int(spec.person_days, "person_days", low=1, high=2000),
    }


def update_overview(
    session: Session, actor: User, application: Application, spec: OverviewSpec
) -> None:
    require_editor(actor, application)
    values = _clean_overview(session, spec)
    application.themes = values.pop("themes")
    application.sdgs = values.pop("sdgs")
    for key, value in values.items():
        setattr(application, key, value)
    _edited(session, actor, application, "overview")


def add_recommendation(
    session: Session, actor: User, application: Application, spec: RecommendationSpec
) -> Recommendation:
    require_editor(actor, application)
    specs.row_limit(application.recommendations, "recommendations")
    row = Recommendation(**specs.clean_recommendation(session, spec))
    application.recommendations.append(row)
    _edited(session, actor, application, "recommendations")
    return row


def update_recommendation(
    session: Session, actor: User, application: Application, row_id: int, spec: RecommendationSpec
) -> None:
    require_editor(actor, application)
    row = _row(application.recommendations, row_id)
    for key, value in specs.clean_recommendation(session, spec).items():
        setattr(row, key, value)
    _edited(session, actor, application, "recommendations")


def remove_recommendation(
    session: Session, actor: User, application: Application, row_id: int
) -> None:
    require_editor(actor, application)
    application.recommendations.remove(_row(application.recommendations, row_id))
    _edited(session, actor, application, "recommendations")


def add_indicator(
    session: Session, actor: User, application: Application, spec: IndicatorSpec
) -> Indicator:
    require_editor(actor, application)
    specs.row_limit(application.indicators, "indicators")
    row = Indicator(**specs.clean_indicator(spec))
    application.indicators.append(row)
    _edited(session, actor, application, "results")
    return row


def update_indicator(
    session: Session, actor: User, application: Application, row_id: int, spec: IndicatorSpec
) -> None:
    require_editor(actor, application)
    row = _row(application.indicators, row_id)
    for key, value in specs.clean_indicator(spec).items():
        setattr(row, key, value)
    _edited(session, actor, application, "results")


def remove_indicator(session: Session, actor: User, application: Application, row_id: int) -> None:
    require_editor(actor, application)
    application.indicators.remove(_row(application.indicators, row_id))
    _edited(session, actor, application, "results")


def _recompute_total(session: Session, application: Application) -> None:
    total = sum(line.amount_minor for line in application.budget_lines)
    specs.check_total(session, application, total)
    application.requested_amount_minor = total


def add_budget_line(
    session: Session, actor: User, application: Application, spec: BudgetLineSpec
) -> BudgetLine:
    require_editor(actor, application)
    specs.row_limit(application.budget_lines, "budget lines")
    values = specs.clean_budget_line(spec, application.currency)
    specs.check_total(
        session, application, application.requested_amount_minor + values["amount_minor"]
    )
    row = BudgetLine(**values)
    application.budget_lines.append(row)
    _recompute_total(session, application)
    _edited(session, actor, application, "budget")
    return row


def update_budget_line(
    session: Session, actor: User, application: Application, row_id: int, spec: BudgetLineSpec
) -> None:
    require_editor(actor, application)
    row = _row(application.budget_lines, row_id)
    values = specs.clean_budget_line(spec, application.currency)
    specs.check_total(
        session,
        application,
        application.requested_amount_minor - row.amount_minor + values["amount_minor"],
    )
    for key, value in values.items():
        setattr(row, key, value)
    _recompute_total(session, application)
    _edited(session, actor, application, "budget")


def remove_budget_line(
    session: Session, actor: User, application: Application, row_id: int
) -> None:
    require_editor(actor, application)
    application.budget_lines.remove(_row(application.budget_lines, row_id))
    _recompute_total(session, application)
    _edited(session, actor, application, "budget")


def update_cofinancing(
    session: Session, actor: User, application: Application, amount: str | None, note: str
) -> None:
    require_editor(actor, application)
    application.cofinancing_amount_minor = (
        specs.amount(amount, application.currency, "cofinancing_amount")
        if amount not in (None, "")
        else None
    )
    application.cofinancing_note = specs.text(note, "cofinancing_note")
    _edited(session, actor, application, "budget")


def update_expertise(
    session: Session, actor: User, application: Application, spec: ExpertiseSpec
) -> None:
    require_editor(actor, application)
    values = _clean_expertise(session, spec)
    application.expertise_themes = values["themes"]
    application.expertise_languages = " ".join(values["languages"])
    application.expertise_person_days = values["person_days"]
    _edited(session, actor, application, "expertise")


def _apply_consent(application: Application, actor: User, spec: ConsentSpec) -> None:
    if not spec.given:
        raise ValidationError(
            _("the consent must be confirmed"), fields={"given": "must be confirmed"}
        )
    application.consent_official_name = specs.text(
        spec.official_name, "official_name", required=True, limit=200
    )
    application.consent_official_title = specs.text(
        spec.official_title, "official_title", required=True, limit=200
    )
    application.consent_given_at = utcnow()
    application.consent_user_id = actor.id


def record_consent(
    session: Session, actor: User, application: Application, spec: ConsentSpec
) -> None:
    require_editor(actor, application)
    _apply_consent(application, actor, spec)
    _edited(session, actor, application, "consent")


def add_attachment(
    session: Session, actor: User, application: Application, upload: FileStorage
) -> uploads.StoredFile:
    require_editor(actor, application)
    if len(application.attachments) >= 20:
        raise ValidationError(_("at most 20 attachments"), fields={"file": "too many"})
    stored = uploads.store(session, upload, uploaded_by_id=actor.id)
    application.attachments.append(stored)
    _edited(session, actor, application, "attachments")
    return stored


def remove_attachment(
    session: Session, actor: User, application: Application, file_id: int
) -> None:
    require_editor(actor, application)
    application.attachments.remove(_row(application.attachments, file_id))
    _edited(session, actor, application, "attachments")


def get_attachment_for(
    session: Session, user: User, application_id: int, file_id: int
) -> uploads.StoredFile:
    application = get_application_for(session, user, application_id)
    return _row(application.attachments, file_id)


def _row(rows: Sequence[Any], row_id: int) -> Any:
    for row in rows:
        if row.id == row_id:
            return row
    raise NotFound(_("no such item on this application"))


# -- transitions -------------------------------------------------------------------------------------


def submit(session: Session, actor: User, application: Application) -> ApplicationVersion:
    """Submit (or resubmit) and freeze the content as a new version."""
    if actor.state_iso3 != application.state_iso3:
        raise NotFound(_("no such application"))
    APPLICATION_WORKFLOW.apply(
        session, application, "submit", actor, data={"version": application.version + 1}
    )
    now = utcnow()
    application.version += 1
    application.submitted_at = now
    application.first_submitted_at = application.first_submitted_at or now
    application.screening_note = ""
    version = ApplicationVersion(
        application_id=application.id,
        number=application.version,
        submitted_at=now,
        submitted_by_id=actor.id,
        snapshot=dumps(snapshot(application)),
    )
    session.add(version)
    return version


def withdraw(session: Session, actor: User, application: Application, reason: str = "") -> None:
    if actor.state_iso3 != application.state_iso3:
        raise NotFound(_("no such application"))
    APPLICATION_WORKFLOW.apply(
        session,
        application,
        "withdraw",
        actor,
        data={"reason": specs.text(reason, "reason", limit=2000)},
    )


def versions_of(session: Session, application: Application) -> Sequence[ApplicationVersion]:
    return (
        session.execute(
            select(ApplicationVersion)
            .where(ApplicationVersion.application_id == application.id)
            .order_by(ApplicationVersion.number)
            .options(selectinload(ApplicationVersion.submitted_by))
        )
        .scalars()
        .all()
    )
