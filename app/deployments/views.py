"""Deployment pages: propose, answer, consent, report, review, pay, rate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.auth.current import actor
from app.auth.models import User
from app.core import uploads
from app.core.errors import NotFound
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import int_arg, refusals, submit_form
from app.deployments import expert_payments, proposals
from app.deployments import services as deployments
from app.deployments.forms import (
    ConsentForm,
    DeclineForm,
    PaymentForm,
    ProposeForm,
    RateForm,
    ReasonForm,
    ReportForm,
    ReviewForm,
)
from app.deployments.models import Deployment, DeploymentStatus
from app.deployments.workflow import DEPLOYMENT_WORKFLOW
from app.experts import profiles
from app.extensions import db
from app.grants import services as grants
from app.grants.models import DisbursementKind, Grant, GrantStatus

bp = Blueprint("deployments", __name__)
READERS = (Role.SECRETARIAT, Role.AUDITOR, Role.EXPERT, Role.APPLICANT)


@bp.route("/deployments")
@roles_required(*READERS)
def index() -> str:
    status = request.args.get("status") or None
    grant_id = int_arg(request.args.get("grant")) or None
    page = deployments.list_for(
        db.session(),
        actor(),
        status=status,
        grant_id=grant_id,
        page=page_arg(request.args.get("page")),
    )
    return render_template(
        "deployments/list.html",
        page=page,
        status=status or "",
        grant_id=grant_id,
        statuses=list(DeploymentStatus),
        counts=deployments.counts_by_status(db.session(), actor()),
    )


# -- proposing ------------------------------------------------------------------------------------------


def _render_new(grant_id: int, expert_id: int, form: ProposeForm) -> str:
    session = db.session()
    grant = grants.get_grant_for(session, actor(), grant_id)
    expert = profiles.get_expert_for(session, actor(), expert_id)
    return render_template(
        "deployments/new.html",
        grant=grant,
        expert=expert,
        form=form,
        budget_free=proposals.expert_budget_free(session, grant),
    )


@bp.route("/grants/<int:grant_id>/deployments/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def new(grant_id: int) -> Response | str:
    expert_id = int_arg(request.values.get("expert"))
    if not expert_id:
        return redirect(url_for("roster.match", grant_id=grant_id))
    if request.method == "GET":
        form = ProposeForm(
            formdata=None,
            data={
                "start": _iso(request.args.get("from")),
                "end": _iso(request.args.get("to")),
            },
        )
        return _render_new(grant_id, expert_id, form)
    form = ProposeForm()
    if form.validate_on_submit():
        session = db.session()
        grant = grants.get_grant_for(session, actor(), grant_id, lock=True)
        expert = profiles.get_expert_for(session, actor(), expert_id)
        with refusals(form):
            deployment = proposals.propose(
                session,
                actor(),
                grant,
                expert,
                proposals.Terms(
                    start=form.start.data,
                    end=form.end.data,
                    person_days=form.person_days.data,
                    terms_of_reference=form.terms_of_reference.data or "",
                    travel_budget=form.travel_budget.data or "0",
                    fx_rate=form.fx_rate.data or None,
                ),
            )
            flash_after_commit(_("The offer is sent to %(name)s.", name=expert.name))
            return redirect(url_for("deployments.detail", deployment_id=deployment.id))
    return _render_new(grant_id, expert_id, form)


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- one deployment --------------------------------------------------------------------------------------


def _render(deployment_id: int, **forms: Any) -> str:
    user = actor()
    session = db.session()
    deployment = deployments.get_for(session, user, deployment_id)
    payments = expert_payments.payments(session, deployment)
    return render_template(
        "deployments/detail.html",
        deployment=deployment,
        actions=DEPLOYMENT_WORKFLOW.available(deployment, user),
        payments=payments,
        fee_owed=expert_payments.owed_minor(session, deployment, DisbursementKind.EXPERT_FEE),
        travel_owed=expert_payments.owed_minor(session, deployment, DisbursementKind.TRAVEL),
        consent_form=forms.get("consent_form") or ConsentForm(),
        refuse_form=forms.get("refuse_form") or ReasonForm(prefix="refuse"),
        decline_form=forms.get("decline_form") or DeclineForm(),
        review_form=forms.get("review_form") or ReviewForm(),
        cancel_form=forms.get("cancel_form") or ReasonForm(prefix="cancel"),
        rate_form=forms.get("rate_form") or RateForm(),
        payment_form=forms.get("payment_form") or PaymentForm(),
    )


@bp.route("/deployments/<int:deployment_id>")
@roles_required(*READERS)
def detail(deployment_id: int) -> str:
    return _render(deployment_id)


def _act(
    deployment_id: int,
    form: Any,
    form_name: str,
    change: Callable[[Deployment], None],
    message: str,
) -> Response | str:
    deployment = deployments.get_for(db.session(), actor(), deployment_id, lock=True)
    return submit_form(
        form,
        lambda: change(deployment),
        done=message,
        then=url_for("deployments.detail", deployment_id=deployment_id),
        again=lambda f: _render(deployment_id, **{form_name: f}),
    )


@bp.route("/deployments/<int:deployment_id>/accept", methods=["POST"])
@roles_required(Role.EXPERT)
def accept(deployment_id: int) -> Response | str:
    return _act(
        deployment_id,
        FlaskForm(),
        "accept_form",
        lambda d: deployments.accept(db.session(), actor(), d),
        _("You accepted the mission. The State is asked for its consent."),
    )


@bp.route("/deployments/<int:deployment_id>/decline", methods=["POST"])
@roles_required(Role.EXPERT)
def decline(deployment_id: int) -> Response | str:
    form = DeclineForm()
    return _act(
        deployment_id,
        form,
        "decline_form",
        lambda d: deployments.decline(db.session(), actor(), d, form.reason.data or ""),
        _("You declined the mission."),
    )


@bp.route("/deployments/<int:deployment_id>/consent", methods=["POST"])
@roles_required(Role.APPLICANT)
def consent(deployment_id: int) -> Response | str:
    form = ConsentForm()
    return _act(
        deployment_id,
        form,
        "consent_form",
        lambda d: deployments.consent(
            db.session(), actor(), d, name=form.name.data or "", title=form.title.data or ""
        ),
        _("Your government's consent is recorded: the mission is scheduled."),
    )


@bp.route("/deployments/<int:deployment_id>/refuse", methods=["POST"])
@roles_required(Role.APPLICANT)
def refuse(deployment_id: int) -> Response | str:
    form = ReasonForm(prefix="refuse")
    return _act(
        deployment_id,
        form,
        "refuse_form",
        lambda d: deployments.refuse(db.session(), actor(), d, form.reason.data or ""),
        _("The mission will not take place. The secretariat is told why."),
    )


def _render_report(deployment: Deployment, form: ReportForm) -> str:
    return render_template("deployments/report.html", deployment=deployment, form=form)


@bp.route("/deployments/<int:deployment_id>/report", methods=["GET", "POST"])
@roles_required(Role.EXPERT)
def report(deployment_id: int) -> Response | str:
    session = db.session()
    deployment = deployments.get_for(session, actor(), deployment_id, lock=request.method == "POST")
    if "report" not in DEPLOYMENT_WORKFLOW.available(deployment, actor()):
        flash(_("There is no mission report to file for this deployment now."), "info")
        return redirect(url_for("deployments.detail", deployment_id=deployment_id))
    if request.method == "GET":
        form = ReportForm(
            formdata=None,
            data={
                "summary": deployment.report_summary,
                "activities": deployment.report_activities,
                "recommendations_state": deployment.report_recommendations_state,
                "recommendations_partners": deployment.report_recommendations_partners,
            },
        )
        return _render_report(deployment, form)
    form = ReportForm()
    if form.validate_on_submit():
        with refusals(form):
            deployments.report(
                session,
                actor(),
                deployment,
                deployments.MissionReport(
                    summary=form.summary.data or "",
                    activities=form.activities.data or "",
                    recommendations_state=form.recommendations_state.data or "",
                    recommendations_partners=form.recommendations_partners.data or "",
                ),
                request.files.getlist(form.files.name),
            )
            flash_after_commit(_("Your mission report is sent to the secretariat."))
            return redirect(url_for("deployments.detail", deployment_id=deployment_id))
    return _render_report(deployments.get_for(session, actor(), deployment_id), form)


@bp.route("/deployments/<int:deployment_id>/review", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def review(deployment_id: int) -> Response | str:
    form = ReviewForm()
    return _act(
        deployment_id,
        form,
        "review_form",
        lambda d: deployments.review(
            db.session(), actor(), d, form.outcome.data or "", form.note.data or ""
        ),
        _("The review is recorded and the expert told."),
    )


@bp.route("/deployments/<int:deployment_id>/cancel", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def cancel(deployment_id: int) -> Response | str:
    form = ReasonForm(prefix="cancel")
    return _act(
        deployment_id,
        form,
        "cancel_form",
        lambda d: deployments.cancel(db.session(), actor(), d, form.reason.data or ""),
        _("The deployment is cancelled."),
    )


@bp.route("/deployments/<int:deployment_id>/rating", methods=["POST"])
@roles_required(Role.APPLICANT)
def rate(deployment_id: int) -> Response | str:
    form = RateForm()
    return _act(
        deployment_id,
        form,
        "rate_form",
        lambda d: deployments.rate(
            db.session(), actor(), d, form.rating.data, form.comment.data or ""
        ),
        _("Thank you: your rating is recorded."),
    )


@bp.route("/deployments/<int:deployment_id>/payments", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def pay(deployment_id: int) -> Response | str:
    form = PaymentForm()
    return _act(
        deployment_id,
        form,
        "payment_form",
        lambda d: _request_payment(d, form),
        _("The payment is prepared: a second officer approves it on the grant's page."),
    )


def _request_payment(deployment: Deployment, form: PaymentForm) -> None:
    expert_payments.request_payment(
        db.session(),
        actor(),
        deployment,
        form.kind.data or "",
        form.amount.data,
        form.note.data or "",
    )


@bp.route("/deployments/<int:deployment_id>/files/<int:file_id>")
@roles_required(*READERS)
def attachment(deployment_id: int, file_id: int) -> Response:
    deployment = deployments.get_for(db.session(), actor(), deployment_id)
    stored = next((f for f in deployment.files if f.id == file_id), None)
    if stored is None:
        raise NotFound(_("no such file"))
    return send_file(
        uploads.path_of(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
    )


def grant_section(
    grant: Grant, *, session: Session, user: User
) -> tuple[str, dict[str, Any]] | None:
    """The experts part of a grant's page: its missions, and the way to find more."""
    role = user.role_enum
    if role not in (Role.SECRETARIAT, Role.AUDITOR, Role.APPLICANT):
        return None
    missions = deployments.for_grant(session, grant)
    if not missions and not grant.expert_budget_minor and role is Role.APPLICANT:
        return None
    staff = role in (Role.SECRETARIAT, Role.AUDITOR)
    return "roster/_grant_section.html", {
        "grant": grant,
        "missions": missions,
        "show_budget": staff,
        "free": proposals.expert_budget_free(session, grant) if staff else 0,
        "can_match": role is Role.SECRETARIAT and grant.status_enum is GrantStatus.ACTIVE,
    }
