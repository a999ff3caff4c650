"""Deployments: the secretariat proposes, the expert answers, the State consents, the expert
reports, the secretariat completes, and the fee and travel are paid from the grant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

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
from app.core.i18n import money_text, status_word
from app.core.money import Money, MoneyError, convert, parse_amount
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.core.sequences import yearly_reference
from app.deployments import notifications
from app.deployments.models import OPEN, Deployment, DeploymentStatus, holding_days
from app.deployments.workflow import DEPLOYMENT_WORKFLOW
from app.experts.models import Expert, ExpertStatus
from app.grants import services as grants
from app.grants.models import (
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    Grant,
    GrantStatus,
)
from app.ledger import services as ledger

MAX_MISSION_DAYS = 180
REPORT_FILE_KINDS = ("pdf", "docx", "xlsx", "png", "jpeg")
MAX_REPORT_FILES = 10
# Costs that no longer hold money of the grant's expert budget.
NOT_RESERVING = (DeploymentStatus.DECLINED, DeploymentStatus.CANCELLED)


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


# -- proposing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    start: Any
    end: Any
    person_days: Any
    terms_of_reference: str
    travel_budget: Any = "0"
    fx_rate: Any = None


def _date(value: Any, name: Literal["start", "end"]) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(
            _("start: give a date as YYYY-MM-DD")
            if name == "start"
            else _("end: give a date as YYYY-MM-DD"),
            fields={name: "bad date"},
        ) from None


def _person_days(value: Any, days: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _("person-days: give a whole number"), fields={"person_days": "invalid"}
        ) from None
    if number <= 0:
        raise ValidationError(
            _("person-days must be at least 1"), fields={"person_days": "not positive"}
        )
    if number > days:
        raise ValidationError(
            _("person-days cannot exceed the %(days)s day(s) of the mission", days=days),
            fields={"person_days": "above the mission's length"},
        )
    return number


def reserved_minor(session: Session, grant: Grant, *, ignore: int | None = None) -> int:
    """The expert budget held by the grant's deployments (fee and travel budget of each
    one not declined or cancelled)."""
    stmt = select(
        func.coalesce(func.sum(Deployment.fee_minor + Deployment.travel_budget_minor), 0)
    ).where(Deployment.grant_id == grant.id, Deployment.status.not_in(NOT_RESERVING))
    if ignore is not None:
        stmt = stmt.where(Deployment.id != ignore)
    return int(session.execute(stmt).scalar_one())


def expert_budget_free(session: Session, grant: Grant) -> int:
    return max(0, grant.expert_budget_minor - reserved_minor(session, grant))


def validate_terms(
    session: Session, grant: Grant, expert: Expert, terms: Terms
) -> tuple[date, date, int, str, int, int, str]:
    """(start, end, person_days, fx rate text, fee, travel budget, terms) — or raise."""
    start, end = _date(terms.start, "start"), _date(terms.end, "end")
    if end < start:
        raise ValidationError(
            _("the mission ends before it starts"), fields={"end": "before start"}
        )
    if start < today():
        raise ValidationError(_("the mission cannot start in the past"), fields={"start": "past"})
    days = (end - start).days + 1
    if days > MAX_MISSION_DAYS:
        raise ValidationError(
            _("a mission lasts at most %(days)s days", days=MAX_MISSION_DAYS),
            fields={"end": "too long"},
        )
    if grant.start_date is None or grant.end_date is None:
        raise TransitionNotAllowed(_("the grant has no period yet: the State has not accepted it"))
    if start < grant.start_date or end > grant.end_date:
        raise ValidationError(
            _(
                "the mission must fall within the grant's period (%(start)s – %(end)s)",
                start=grant.start_date.isoformat(),
                end=grant.end_date.isoformat(),
            ),
            fields={"start": "outside the grant's period"},
        )
    person_days = _person_days(terms.person_days, days)
    text = (terms.terms_of_reference or "").strip()
    if len(text) < 20:
        raise ValidationError(
            _("write the terms of reference: what the expert is asked to do (a few sentences)"),
            fields={"terms_of_reference": "required"},
        )
    if expert.daily_rate is None:
        raise ValidationError(
            _("the expert has no daily rate on the profile"), fields={"expert": "no rate"}
        )
    fee_original = Money(expert.daily_rate.amount_minor * person_days, expert.rate_currency)
    rate_text, fee = convert(fee_original, terms.fx_rate, grant.currency, field="fx_rate")
    try:
        travel = parse_amount(
            str(terms.travel_budget or "0"), grant.currency, allow_zero=True
        ).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("travel budget: %(error)s", error=str(error)),
            fields={"travel_budget": str(error)},
        ) from None
    return start, end, person_days, rate_text, fee, travel, text[:10000]


def overlapping(
    session: Session, expert_id: int, start: date, end: date, *, ignore: int | None = None
) -> Deployment | None:
    """A deployment that already holds some of these days in the expert's calendar."""
    stmt = select(Deployment).where(*holding_days(expert_id, start, end, ignore=ignore))
    return session.execute(stmt.limit(1)).scalars().first()


def propose(
    session: Session, actor: User, grant: Grant, expert: Expert, terms: Terms
) -> Deployment:
    require_role(actor, Role.SECRETARIAT)
    # Locks, always in this order (the views lock the grant first too): the grant's row for
    # its expert budget, then the expert's row for its calendar. Two proposals for the same
    # expert or the same budget queue here, and the second sees the first's (FOR UPDATE on
    # PostgreSQL; SQLite's write lock at BEGIN IMMEDIATE).
    session.execute(select(Grant.id).where(Grant.id == grant.id).with_for_update())
    session.execute(select(Expert.id).where(Expert.id == expert.id).with_for_update())
    if grant.status_enum is not GrantStatus.ACTIVE:
        raise TransitionNotAllowed(
            _(
                "experts are deployed under active grants; this one is %(status)s",
                status=status_word(grant.status_enum),
            ),
            fields={"status": grant.status_enum.value},
        )
    if expert.status_enum is not ExpertStatus.ACTIVE:
        raise ValidationError(
            _("only vetted, active experts can be proposed"), fields={"expert": "not active"}
        )
    if not expert.user.active:
        raise ValidationError(
            _("the expert's account is deactivated: it cannot be proposed"),
            fields={"expert": "account deactivated"},
        )
    if not expert.user.state_iso3:
        # Without a nationality the rule that nobody is sent to its own State cannot hold.
        raise ValidationError(
            _("the expert has no nationality on record: it cannot be proposed until it has one"),
            fields={"expert": "no nationality"},
        )
    if expert.user.state_iso3 == grant.state_iso3:
        raise ValidationError(
            _("an expert is never sent to its own State"), fields={"expert": "national"}
        )
    start, end, person_days, rate_text, fee, travel, text = validate_terms(
        session, grant, expert, terms
    )
    if not expert.is_available(start, end):
        raise ValidationError(
            _("the expert has not said it is available for all of these dates"),
            fields={"start": "not available"},
        )
    clash = overlapping(session, expert.id, start, end)
    if clash is not None:
        raise Conflict(
            _(
                "the expert is already engaged from %(start)s to %(end)s (%(reference)s)",
                start=clash.start_date.isoformat(),
                end=clash.end_date.isoformat(),
                reference=clash.reference,
            ),
            fields={"start": "overlaps another deployment"},
        )
    free = expert_budget_free(session, grant)
    if fee + travel > free:
        raise ValidationError(
            _(
                "the fee and travel (%(cost)s) exceed what remains of the grant's budget for"
                " experts (%(free)s)",
                cost=money_text(Money(fee + travel, grant.currency)),
                free=money_text(Money(free, grant.currency)),
            ),
            fields={"fee": "above the remaining commitment"},
        )
    deployment = Deployment(
        reference=yearly_reference(session, "DEP", today().year),
        grant_id=grant.id,
        expert_id=expert.id,
        status=DeploymentStatus.PROPOSED,
        terms_of_reference=text,
        start_date=start,
        end_date=end,
        person_days=person_days,
        daily_rate_minor=expert.daily_rate_minor or 0,
        rate_currency=expert.rate_currency,
        fx_rate=rate_text,
        currency=grant.currency,
        fee_minor=fee,
        travel_budget_minor=travel,
        proposed_by_id=actor.id,
    )
    session.add(deployment)
    session.flush()
    audit.record(
        session,
        "deployment.propose",
        deployment,
        actor=actor,
        data={
            "grant": grant.reference,
            "expert": expert.id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "fee": deployment.fee.as_string(),
            "travel": deployment.travel_budget.as_string(),
        },
    )
    notifications.offered(session, deployment, actor)
    return deployment


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
    _cancel_pending_payments(session, actor, deployment)
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


# -- paying the expert ------------------------------------------------------------------------------


PAYMENT_KINDS = {"fee": DisbursementKind.EXPERT_FEE, "travel": DisbursementKind.TRAVEL}
# Travel can be advanced once the mission is scheduled; the fee once the report is accepted.
PAYABLE_FROM = {
    DisbursementKind.EXPERT_FEE: (DeploymentStatus.COMPLETED,),
    DisbursementKind.TRAVEL: (
        DeploymentStatus.SCHEDULED,
        DeploymentStatus.REPORTED,
        DeploymentStatus.REVISION_REQUESTED,
        DeploymentStatus.COMPLETED,
    ),
}


def payments(session: Session, deployment: Deployment) -> Sequence[Disbursement]:
    return (
        session.execute(
            select(Disbursement)
            .where(Disbursement.deployment_id == deployment.id)
            .order_by(Disbursement.id)
        )
        .scalars()
        .all()
    )


def owed_minor(session: Session, deployment: Deployment, kind: DisbursementKind) -> int:
    """What is still to be paid of the fee or the travel budget."""
    budget = (
        deployment.fee_minor
        if kind is DisbursementKind.EXPERT_FEE
        else deployment.travel_budget_minor
    )
    spent = sum(
        d.amount_minor
        for d in payments(session, deployment)
        if d.kind == kind and d.status != DisbursementStatus.CANCELLED
    )
    return max(0, budget - spent)


def request_payment(
    session: Session,
    actor: User,
    deployment: Deployment,
    kind: str,
    amount: Any,
    note: str = "",
) -> Disbursement:
    """The maker's step for an expert's fee or travel; a second officer approves it as any
    other release of grant money."""
    require_role(actor, Role.SECRETARIAT)
    disbursement_kind = PAYMENT_KINDS.get((kind or "").strip())
    if disbursement_kind is None:
        raise ValidationError(_("kind must be fee or travel"), fields={"kind": "unknown"})
    ledger.lock_fund(session)
    if deployment.status_enum not in PAYABLE_FROM[disbursement_kind]:
        raise TransitionNotAllowed(
            _("the fee is paid once the mission report is accepted")
            if disbursement_kind is DisbursementKind.EXPERT_FEE
            else _("travel is paid once the mission is scheduled"),
            fields={"status": deployment.status_enum.value},
        )
    try:
        amount_minor = parse_amount(amount, deployment.currency).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("amount: %(error)s", error=str(error)), fields={"amount": str(error)}
        ) from None
    owed = owed_minor(session, deployment, disbursement_kind)
    if amount_minor > owed:
        left = money_text(Money(owed, deployment.currency))
        raise ValidationError(
            _("only %(amount)s of the fee remains to be paid", amount=left)
            if disbursement_kind is DisbursementKind.EXPERT_FEE
            else _("only %(amount)s of the travel budget remains to be paid", amount=left),
            fields={"amount": "above what is owed"},
        )
    return grants.create_disbursement(
        session,
        actor,
        deployment.grant,
        str(Money(amount_minor, deployment.currency).to_decimal()),
        note or f"{deployment.reference}: {disbursement_kind.label.lower()}",
        kind=disbursement_kind,
        payee=deployment.expert.name,
        deployment_id=deployment.id,
    )


def _cancel_pending_payments(session: Session, actor: User, deployment: Deployment) -> None:
    for payment in payments(session, deployment):
        if payment.status == DisbursementStatus.PENDING_APPROVAL:
            grants.cancel_disbursement(session, actor, payment, "deployment cancelled")


# -- when the grant closes -----------------------------------------------------------------------------


def on_grant_closing(grant: Grant, *, session: Session, actor: User, action: str) -> None:
    deployments = for_grant(session, grant)
    if action == "cancel":
        for deployment in deployments:
            if deployment.status_enum in OPEN:
                _cancel_pending_payments(session, actor, deployment)
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
        if deployment.status_enum is DeploymentStatus.COMPLETED and owed_minor(
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
