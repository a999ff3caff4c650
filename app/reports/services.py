"""Reports: scheduled when the State accepts its grant, drafted and submitted by the State,
accepted or sent back by the secretariat — acceptance is what releases the second tranche
and lets the grant be completed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import FileStorage

from app.applications.models import Application
from app.auth.models import User
from app.core import audit, uploads
from app.core.database import today, utcnow
from app.core.dates import add_years, overdue_step
from app.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.grants import services as grants
from app.grants.agreement import reporting_schedule
from app.grants.models import Grant, GrantStatus
from app.reports import notifications
from app.reports.models import (
    OWED,
    REPORTING_GRANT,
    ImplementationStatus,
    IndicatorProgress,
    RecommendationProgress,
    Report,
    ReportKind,
    ReportStatus,
)
from app.reports.workflow import REPORT_WORKFLOW

REPORT_FILE_KINDS = ("pdf", "docx", "xlsx", "png", "jpeg")
MAX_REPORT_FILES = 10
REMIND_BEFORE = (30, 7)  # days before the due date


# -- the schedule -------------------------------------------------------------------------------------


def default_schedule(grant: Grant) -> list[tuple[ReportKind, date]]:
    """The schedule the agreement announces (app/grants/agreement.py): an interim report at
    12 months, or half-way for grants of a year or less, and a final report at the end."""
    return [(ReportKind(due.kind), due.due) for due in reporting_schedule(grant)]


def schedule(session: Session, grant: Grant, actor: User | None = None) -> list[Report]:
    """Create the grant's reports (once); called when the State accepts the agreement."""
    existing = session.execute(select(Report.id).where(Report.grant_id == grant.id)).first()
    if existing is not None:
        return []
    reports = [
        Report(grant_id=grant.id, kind=kind, due_date=due) for kind, due in default_schedule(grant)
    ]
    session.add_all(reports)
    session.flush()
    for report in reports:
        audit.record(
            session,
            "report.schedule",
            report,
            actor=actor,
            data={"kind": report.kind, "due": report.due_date.isoformat()},
        )
    return reports


def on_grant_accepted(grant: Grant, *, session: Session, actor: User | None) -> None:
    schedule(session, grant, actor)


def _due_date(grant: Grant, value: Any) -> date:
    try:
        due = value if isinstance(value, date) else date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(
            _("give the due date as YYYY-MM-DD"), fields={"due_date": "bad date"}
        ) from None
    start = grant.start_date or today()
    latest = add_years(grant.end_date or start, 2)
    if due <= start or due > latest:
        raise ValidationError(
            _(
                "the due date must fall after the grant starts (%(start)s) and at most"
                " two years after it ends (%(latest)s)",
                start=start.isoformat(),
                latest=latest.isoformat(),
            ),
            fields={"due_date": "out of range"},
        )
    return due


def add_report(session: Session, actor: User, grant: Grant, due_date: Any) -> Report:
    """An extra progress report the secretariat asks for."""
    require_role(actor, Role.SECRETARIAT)
    if grant.status_enum not in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED):
        raise TransitionNotAllowed(_("reports are asked of active grants"))
    report = Report(
        grant_id=grant.id, kind=ReportKind.PROGRESS, due_date=_due_date(grant, due_date)
    )
    session.add(report)
    session.flush()
    audit.record(
        session, "report.add", report, actor=actor, data={"due": report.due_date.isoformat()}
    )
    return report


def reschedule(session: Session, actor: User, report: Report, due_date: Any) -> None:
    require_role(actor, Role.SECRETARIAT)
    if report.status_enum not in OWED:
        raise TransitionNotAllowed(
            _("only a report the State still owes can be rescheduled"),
            fields={"status": report.status_enum.value},
        )
    due = _due_date(report.grant, due_date)
    before = report.due_date
    report.due_date = due
    audit.record(
        session,
        "report.reschedule",
        report,
        actor=actor,
        data={"from": before.isoformat(), "to": due.isoformat()},
    )


# -- who sees what ---------------------------------------------------------------------------------------


def owed_clause() -> ColumnElement[bool]:
    """The reports the State still owes (`Report.is_owed` in SQL)."""
    return and_(
        Report.status.in_(OWED),
        Report.grant_id.in_(select(Grant.id).where(Grant.status.in_(REPORTING_GRANT))),
    )


def visible_query(user: User) -> Select[Any]:
    stmt = select(Report)
    role = user.role_enum
    if role in (Role.SECRETARIAT, Role.AUDITOR):
        return stmt
    if role is Role.APPLICANT:
        return stmt.join(Grant, Grant.id == Report.grant_id).where(
            Grant.state_iso3 == user.state_iso3
        )
    raise PermissionDenied(_("reports are seen by the fund and the State that reports"))


def get_for(session: Session, user: User, report_id: int, *, lock: bool = False) -> Report:
    stmt = visible_query(user).where(Report.id == report_id)
    if lock:
        stmt = stmt.with_for_update(of=Report)
    report = session.execute(stmt).unique().scalar_one_or_none()
    if report is None:
        raise NotFound(_("no such report"))
    return report


def list_for(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    overdue: bool = False,
    owed_only: bool = False,
    grant_id: int | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Report]:
    stmt = visible_query(user)
    if status in {s.value for s in ReportStatus}:
        stmt = stmt.where(Report.status == status)
    if owed_only:
        stmt = stmt.where(owed_clause())
    if overdue:
        stmt = stmt.where(owed_clause(), Report.due_date < today())
    if grant_id is not None:
        stmt = stmt.where(Report.grant_id == grant_id)
    return paginate(
        session, stmt.order_by(Report.due_date, Report.id), page=page, per_page=per_page
    )


def for_grant(session: Session, grant_id: int) -> Sequence[Report]:
    return (
        session.execute(
            select(Report).where(Report.grant_id == grant_id).order_by(Report.due_date, Report.id)
        )
        .scalars()
        .all()
    )


def count_in(session: Session, status: ReportStatus) -> int:
    return int(
        session.execute(select(func.count(Report.id)).where(Report.status == status)).scalar_one()
    )


def overdue_count(session: Session) -> int:
    return int(
        session.execute(
            select(func.count(Report.id)).where(owed_clause(), Report.due_date < today())
        ).scalar_one()
    )


# -- the State writes ----------------------------------------------------------------------------------


@dataclass
class ReportContent:
    achievements: str | None = None
    challenges: str | None = None
    good_practice: str | None = None
    further_needs: str | None = None
    # indicator id -> (actual, comment); recommendation id -> (status, evidence)
    indicators: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    recommendations: Mapping[int, tuple[str, str]] = field(default_factory=dict)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _check_content(
    report: Report, content: ReportContent
) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:
    application: Application = report.grant.application
    indicators = {i.id: i for i in application.indicators}
    recommendations = {r.id: r for r in application.recommendations}
    clean_indicators: dict[int, tuple[str, str]] = {}
    for key, (actual, comment) in content.indicators.items():
        indicator = indicators.get(int(key))
        if indicator is None:
            raise ValidationError(
                _("indicator %(key)s is not one of this grant's", key=key),
                fields={"indicators": "unknown"},
            )
        actual = (actual or "").strip()
        if actual and indicator.is_numeric and _number(actual) is None:
            raise ValidationError(
                _(
                    "“%(name)s” is measured as a number (baseline %(baseline)s, target"
                    " %(target)s): %(actual)s is not one",
                    name=indicator.name,
                    baseline=indicator.baseline,
                    target=indicator.target,
                    actual=repr(actual),
                ),
                fields={f"indicator-{indicator.id}": "not a number", "indicators": "not a number"},
            )
        if len(actual) > 100:
            raise ValidationError(
                _("an indicator's value is at most 100 characters"),
                fields={"indicators": "too long"},
            )
        clean_indicators[indicator.id] = (actual, (comment or "").strip()[:5000])
    clean_recommendations: dict[int, tuple[str, str]] = {}
    for key, (status, evidence) in content.recommendations.items():
        recommendation = recommendations.get(int(key))
        if recommendation is None:
            raise ValidationError(
                _("recommendation %(key)s is not one of this grant's", key=key),
                fields={"recommendations": "unknown"},
            )
        try:
            value = ImplementationStatus(str(status or "").strip())
        except ValueError:
            allowed = ", ".join(s.value for s in ImplementationStatus)
            raise ValidationError(
                _(
                    "the status of %(reference)s must be one of: %(allowed)s",
                    reference=recommendation.reference,
                    allowed=allowed,
                ),
                fields={
                    f"recommendation-{recommendation.id}": "unknown status",
                    "recommendations": "unknown status",
                },
            ) from None
        clean_recommendations[recommendation.id] = (value.value, (evidence or "").strip()[:5000])
    return clean_indicators, clean_recommendations


def require_state(actor: User, report: Report) -> None:
    if actor.role_enum is not Role.APPLICANT or report.grant.state_iso3 != actor.state_iso3:
        raise NotFound(_("no such report"))


def _require_owed(report: Report) -> None:
    if report.status_enum not in OWED:
        raise TransitionNotAllowed(
            _(
                "this report is %(status)s: it can no longer be changed",
                status=report.status_enum.label,
            ),
            fields={"status": report.status_enum.value},
        )
    grant_status = report.grant.status_enum
    if grant_status not in REPORTING_GRANT:
        raise TransitionNotAllowed(
            _("the grant is %(status)s: its reports are no longer due", status=grant_status.label),
            fields={"grant": grant_status.value},
        )


def save_draft(
    session: Session,
    actor: User,
    report: Report,
    content: ReportContent,
    files: Sequence[FileStorage] = (),
) -> Report:
    """Keep what the State has written so far; nothing is checked for completeness yet, but
    what is there must make sense (numbers where numbers are expected, known statuses)."""
    require_state(actor, report)
    _require_owed(report)
    clean_indicators, clean_recommendations = _check_content(report, content)
    uploaded = [f for f in files if f and f.filename]
    if len(report.files) + len(uploaded) > MAX_REPORT_FILES:
        raise ValidationError(
            _("attach at most %(count)s files", count=MAX_REPORT_FILES),
            fields={"files": "too many"},
        )
    stored = [
        uploads.store(session, f, allowed=REPORT_FILE_KINDS, uploaded_by_id=actor.id)
        for f in uploaded
    ]
    for name in ("achievements", "challenges", "good_practice", "further_needs"):
        value = getattr(content, name)
        if value is not None:
            setattr(report, name, value.strip()[:20000])
    present_i = {row.indicator_id: row for row in report.indicators}
    for indicator_id, (actual, comment) in clean_indicators.items():
        row = present_i.get(indicator_id)
        if row is None:
            report.indicators.append(
                IndicatorProgress(indicator_id=indicator_id, actual=actual, comment=comment)
            )
        else:
            row.actual, row.comment = actual, comment
    present_r = {row.recommendation_id: row for row in report.recommendations}
    for recommendation_id, (status, evidence) in clean_recommendations.items():
        row_r = present_r.get(recommendation_id)
        if row_r is None:
            report.recommendations.append(
                RecommendationProgress(
                    recommendation_id=recommendation_id, status=status, evidence=evidence
                )
            )
        else:
            row_r.status, row_r.evidence = ImplementationStatus(status), evidence
    report.files.extend(stored)
    report.draft_saved_at = utcnow()
    session.flush()
    return report


def missing_parts(report: Report) -> list[str]:
    """What the State must still write before it can submit."""
    missing = []
    if not report.achievements.strip():
        missing.append(_("the narrative of achievements"))
    application = report.grant.application
    given = {row.indicator_id for row in report.indicators if row.actual.strip()}
    for indicator in application.indicators:
        if indicator.id not in given:
            missing.append(_("a value for “%(name)s”", name=indicator.name))
    statused = {row.recommendation_id for row in report.recommendations}
    for recommendation in application.recommendations:
        if recommendation.id not in statused:
            missing.append(_("the status of %(reference)s", reference=recommendation.reference))
    return missing


def submit(
    session: Session,
    actor: User,
    report: Report,
    content: ReportContent | None = None,
    files: Sequence[FileStorage] = (),
) -> Report:
    if content is not None or files:
        save_draft(session, actor, report, content or ReportContent(), files)
    else:
        require_state(actor, report)
        _require_owed(report)
    REPORT_WORKFLOW.check(report, "submit", actor)
    missing = missing_parts(report)
    if missing:
        raise ValidationError(
            _("the report is not complete: it still needs %(missing)s", missing="; ".join(missing)),
            fields={"report": "incomplete"},
        )
    report.submitted_by_id = actor.id
    report.submitted_at = utcnow()
    REPORT_WORKFLOW.apply(session, report, "submit", actor)
    return report


# -- the secretariat reviews ------------------------------------------------------------------------------

REVIEW_OUTCOMES = {"accepted": "accept", "revision_requested": "request_revision"}


def review(session: Session, actor: User, report: Report, outcome: str, note: str = "") -> Report:
    action = REVIEW_OUTCOMES.get((outcome or "").strip())
    if action is None:
        raise ValidationError(
            _("outcome must be accepted or revision_requested"), fields={"outcome": "unknown"}
        )
    note = (note or "").strip()
    if action == "request_revision" and not note:
        raise ValidationError(_("say what the State should revise"), fields={"note": "required"})
    REPORT_WORKFLOW.check(report, action, actor)
    report.review_note = note[:5000]
    report.reviewed_by_id = actor.id
    report.reviewed_at = utcnow()
    if action == "accept":
        report.accepted_at = utcnow()
        if report.kind_enum is ReportKind.INTERIM:
            grants.interim_report_accepted(session, report.grant, actor)
        elif report.kind_enum is ReportKind.FINAL:
            grants.final_report_accepted(session, report.grant, actor)
    REPORT_WORKFLOW.apply(session, report, action, actor, data={"note": note[:200]})
    return report


# -- reminders ---------------------------------------------------------------------------------------------


def reminders_due(session: Session) -> int:
    """30 and 7 days before the due date, then weekly while overdue; each step once."""
    day = today()
    horizon = day + timedelta(days=max(REMIND_BEFORE))
    owed = (
        session.execute(
            select(Report)
            .where(owed_clause(), Report.due_date <= horizon)
            .options(selectinload(Report.grant))
            .order_by(Report.due_date, Report.id)
        )
        .scalars()
        .all()
    )
    queued = 0
    for report in owed:
        step = _reminder_step(report.due_date, day)
        if step is not None:
            queued += notifications.report_reminder(session, report, step)
    return queued


def _reminder_step(due: date, day: date) -> str | None:
    if due < day:
        return overdue_step((day - due).days)
    days_left = (due - day).days
    for before in sorted(REMIND_BEFORE):
        if days_left <= before:
            return f"{before}-days"
    return None
