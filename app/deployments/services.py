"""Deployments after the offer: the expert answers, the State consents, the expert reports,
the secretariat completes, the State rates; who sees which; and what happens to them when
their grant closes. The offer itself is proposals.py, paying the expert expert_payments.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.core import audit, uploads
from app.core.database import today, utcnow
from app.core.dates import overdue_step
from app.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from app.core.pagination import Page, paginate
from app.core.roles import Role
from app.deployments import expert_payments, notifications
from app.deployments.models import OPEN, Deployment, DeploymentStatus
from app.deployments.workflow import DEPLOYMENT_WORKFLOW
from app.experts.models import Expert
from app.grants.models import (
    DisbursementKind,
    Grant,
    GrantStatus,
)

REPORT_FILE_KINDS = ("pdf", "docx", "xlsx", "png", "jpeg")
MAX_REPORT_FILES = 10
# Costs that no longer hold money of the grant's expert budget.


# -- who sees what ------------------------------------------------------------------------------


def visible_query(user: User) -> Select[Any]:
    """The secretariat and the auditor see every deployment; an expert its own; a State's
    focal point the deployments to its State; nobody else any."""
    stmt = select(Deployment)
    role = user.role_enum
    if role in (Role.SECRETARIAT, Role.AUDITOR):
        return stmt
    if role is Role.EXPERT:
        return stmt.join(Expert, Expert.id == Deployment.expert_id).where(Expert.user_id == user.id)
    if role is Role.APPLICANT:
        return stmt.join(Grant, Grant.id == Deployment.grant_id).where(
            Grant.state_iso3 == user.state_iso3
        )
    raise PermissionDenied(_("deployments are seen by the fund, the expert and the State"))


def get_for(session: Session, user: User, deployment_id: int, *, lock: bool = False) -> Deployment:
    stmt = visible_query(user).where(Deployment.id == deployment_id)
    if lock:
        stmt = stmt.with_for_update(of=Deployment)
    deployment = session.execute(stmt).unique().scalar_one_or_none()
    if deployment is None:
        raise NotFound(_("no such deployment"))
    return deployment


def list_for(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    grant_id: int | None = None,
    expert_id: int | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[Deployment]:
    stmt = visible_query(user)
    if status in {s.value for s in DeploymentStatus}:
        stmt = stmt.where(Deployment.status == status)
    if grant_id is not None:
        stmt = stmt.where(Deployment.grant_id == grant_id)
    if expert_id is not None:
        stmt = stmt.where(Deployment.expert_id == expert_id)
    return paginate(
        session,
        stmt.order_by(Deployment.start_date.desc(), Deployment.id.desc()),
        page=page,
        per_page=per_page,
    )


def for_grant(session: Session, grant: Grant) -> Sequence[Deployment]:
    return (
        session.execute(
            select(Deployment)
            .where(Deployment.grant_id == grant.id)
            .order_by(Deployment.start_date, Deployment.id)
        )
        .scalars()
        .all()
    )


def in_statuses(
    session: Session, statuses: Sequence[DeploymentStatus], *, limit: int = 20, **where: Any
) -> Sequence[Deployment]:
    """Deployments in these statuses, soonest first; `where` narrows by `state_iso3` (of the
    grant) or `expert_id`. For dashboards."""
    stmt = select(Deployment).where(Deployment.status.in_(statuses))
    if "state_iso3" in where:
        stmt = stmt.join(Grant, Grant.id == Deployment.grant_id).where(
            Grant.state_iso3 == where["state_iso3"]
        )
    if "expert_id" in where:
        stmt = stmt.where(Deployment.expert_id == where["expert_id"])
    if where.get("unrated"):
        stmt = stmt.where(Deployment.rating.is_(None))
    return (
        session.execute(stmt.order_by(Deployment.start_date, Deployment.id).limit(limit))
        .scalars()
        .all()
    )


def counts_by_status(session: Session, user: User) -> dict[str, int]:
    stmt = (
        visible_query(user)
        .with_only_columns(Deployment.status, func.count())
        .group_by(Deployment.status)
    )
    return {str(status): int(n) for status, n in session.execute(stmt).all()}


def _require_expert(actor: User, deployment: Deployment) -> None:
    if actor.role_enum is not Role.EXPERT or deployment.expert.user_id != actor.id:
        raise NotFound(_("no such deployment"))


def _require_state(actor: User, deployment: Deployment) -> None:
    if actor.role_enum is not Role.APPLICANT or deployment.grant.state_iso3 != actor.state_iso3:
        raise NotFound(_("no such deployment"))


# -- answers, consent, report, review -------------------------------------------------------------------


def accept(session: Session, actor: User, deployment: Deployment) -> None:
    _require_expert(actor, deployment)
    DEPLOYMENT_WORKFLOW.check(deployment, "accept", actor)
    deployment.answered_at = utcnow()
    DEPLOYMENT_WORKFLOW.apply(session, deployment, "accept", actor)


def decline(session: Session, actor: User, deployment: Deployment, reason: str = "") -> None:
    _require_expert(actor, deployment)
    DEPLOYMENT_WORKFLOW.check(deployment, "decline", actor)
    deployment.answered_at = utcnow()
    deployment.decline_reason = (reason or "").strip()[:2000]
    DEPLOYMENT_WORKFLOW.apply(session, deployment, "decline", actor)


def consent(
    session: Session, actor: User, deployment: Deployment, *, name: str, title: str
) -> None:
    """The State's focal point agrees to the mission: nothing happens in a State without it."""
    _require_state(actor, deployment)
    name, title = (name or "").strip(), (title or "").strip()
    if not name or not title:
        raise ValidationError(
            _("give the name and title of the official who consents"),
            fields={k: "required" for k, v in (("name", name), ("title", title)) if not v},
        )
    DEPLOYMENT_WORKFLOW.check(deployment, "consent", actor)
    if deployment.grant.status_enum is not GrantStatus.ACTIVE:
        raise TransitionNotAllowed(_("the grant is not active: the mission cannot be scheduled"))
    deployment.consented_by_id = actor.id
    deployment.consent_name, deployment.consent_title = name[:200], title[:200]
    deployment.consented_at = utcnow()
    DEPLOYMENT_WORKFLOW.apply(
        session, deployment, "consent", actor, data={"name": name[:200], "title": title[:200]}
    )


def refuse(session: Session, actor: User, deployment: Deployment, reason: str) -> None:
    _require_state(actor, deployment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("say why the State does not consent"), fields={"reason": "required"}
        )
    DEPLOYMENT_WORKFLOW.check(deployment, "refuse", actor)
    deployment.cancel_reason = f"The State did not consent: {reason}"[:2000]
    deployment.cancelled_at = utcnow()
    DEPLOYMENT_WORKFLOW.apply(session, deployment, "refuse", actor, data={"reason": reason[:200]})


@dataclass(frozen=True)
class MissionReport:
    summary: str
    activities: str = ""
    recommendations_state: str = ""
    recommendations_partners: str = ""


def report(
    session: Session,
    actor: User,
    deployment: Deployment,
    content: MissionReport,
    files: Sequence[FileStorage] = (),
) -> None:
    _require_expert(actor, deployment)
    summary = (content.summary or "").strip()
    if len(summary) < 20:
        raise ValidationError(
            _("write the mission's narrative: what was done and what came of it"),
            fields={"summary": "required"},
        )
    DEPLOYMENT_WORKFLOW.check(deployment, "report", actor)
    files = [f for f in files if f and f.filename]
    if len(deployment.files) + len(files) > MAX_REPORT_FILES:
        raise ValidationError(
            _("attach at most %(max)s files", max=MAX_REPORT_FILES), fields={"files": "too many"}
        )
    stored = [
        uploads.store(session, f, allowed=REPORT_FILE_KINDS, uploaded_by_id=actor.id) for f in files
    ]
    deployment.report_summary = summary[:20000]
    deployment.report_activities = (content.activities or "").strip()[:20000]
    deployment.report_recommendations_state = (content.recommendations_state or "").strip()[:20000]
    deployment.report_recommendations_partners = (content.recommendations_partners or "").strip()[
        :20000
    ]
    deployment.files.extend(stored)
    deployment.reported_at = utcnow()
    DEPLOYMENT_WORKFLOW.apply(
        session, deployment, "report", actor, data={"files": [s.original_name for s in stored]}
    )


REVIEW_OUTCOMES = {"completed": "complete", "revision_requested": "request_revision"}


def review(
    session: Session, actor: User, deployment: Deployment, outcome: str, note: str = ""
) -> None:
    action = REVIEW_OUTCOMES.get((outcome or "").strip())
    if action is None:
        raise ValidationError(
            _("outcome must be completed or revision_requested"), fields={"outcome": "unknown"}
        )
    note = (note or "").strip()
    if action == "request_revision" and not note:
        raise ValidationError(_("say what the expert should revise"), fields={"note": "required"})
    DEPLOYMENT_WORKFLOW.check(deployment, action, actor)
    deployment.review_note = note[:5000]
    deployment.reviewed_by_id = actor.id
    if action == "complete":
        deployment.completed_at = utcnow()
    DEPLOYMENT_WORKFLOW.apply(session, deployment, action, actor, data={"note": note[:200]})


def cancel(session: Session, actor: User, deployment: Deployment, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("say why the deployment is cancelled"), fields={"reason": "required"}
        )
    DEPLOYMENT_WORKFLOW.check(deployment, "cancel", actor)
    expert_payments.cancel_pending(session, actor, deployment)
    deployment.cancel_reason = reason[:2000]
    deployment.cancelled_at = utcnow()
    DEPLOYMENT_WORKFLOW.apply(session, deployment, "cancel", actor, data={"reason": reason[:200]})


def rate(
    session: Session, actor: User, deployment: Deployment, rating: Any, comment: str = ""
) -> None:
    """The State rates a completed mission once; ratings feed the matching score."""
    _require_state(actor, deployment)
    if deployment.status_enum is not DeploymentStatus.COMPLETED:
        raise TransitionNotAllowed(
            _("a mission is rated once it is completed"),
            fields={"status": deployment.status_enum.value},
        )
    if deployment.rating is not None:
        raise Conflict(_("this mission is already rated"))
    try:
        stars = int(str(rating).strip())
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError(_("give a rating from 1 to 5"), fields={"rating": "out of range"})
    deployment.rating = stars
    deployment.rating_comment = (comment or "").strip()[:2000]
    deployment.rated_by_id = actor.id
    deployment.rated_at = utcnow()
    audit.record(session, "deployment.rate", deployment, actor=actor, data={"rating": stars})


# -- when the grant closes -----------------------------------------------------------------------------


def on_grant_closing(grant: Grant, *, session: Session, actor: User, action: str) -> None:
    deployments = for_grant(session, grant)
    if action == "cancel":
        for deployment in deployments:
            if deployment.status_enum in OPEN:
                expert_payments.cancel_pending(session, actor, deployment)
                deployment.cancel_reason = "The grant was cancelled."
                deployment.cancelled_at = utcnow()
                DEPLOYMENT_WORKFLOW.apply(
                    session, deployment, "cancel", actor, data={"reason": "grant cancelled"}
                )
        return
    for deployment in deployments:
        if deployment.status_enum in OPEN:
            raise Conflict(
                _(
                    "deployment %(reference)s is still under way: complete or cancel it first",
                    reference=deployment.reference,
                )
            )
        if deployment.status_enum is DeploymentStatus.COMPLETED and expert_payments.owed_minor(
            session, deployment, DisbursementKind.EXPERT_FEE
        ):
            raise Conflict(
                _(
                    "the expert's fee for %(reference)s is not paid yet",
                    reference=deployment.reference,
                )
            )


def reminders_due(session: Session) -> int:
    """The expert's mission report: due the day the mission ends, then weekly once it is
    two weeks late. Each reminder is sent once (the outbox's dedupe key)."""
    day = today()
    due = (
        session.execute(
            select(Deployment).where(
                Deployment.status.in_(
                    (DeploymentStatus.SCHEDULED, DeploymentStatus.REVISION_REQUESTED)
                ),
                Deployment.end_date <= day,
            )
        )
        .scalars()
        .all()
    )
    sent = 0
    for deployment in due:
        late = (day - deployment.end_date).days
        step = overdue_step(late) if late >= 14 else "due"
        sent += notifications.report_reminder(session, deployment, step)
    return sent
