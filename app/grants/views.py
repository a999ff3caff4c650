"""Grant pages: the list, a grant with its money, the agreement, acceptance, management and
maker–checker releases."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import signals
from app.auth.current import actor
from app.core.errors import PermissionDenied
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals, require_post_form
from app.extensions import db
from app.grants import services
from app.grants.agreement import agreement_pdf, reporting_schedule
from app.grants.forms import AcceptForm, ApproveReleaseForm, ReasonForm, ReleaseForm
from app.grants.models import GrantStatus
from app.grants.workflow import GRANT_WORKFLOW

bp = Blueprint("grants", __name__)
READERS = services.READERS

AGREEMENT_READERS = (Role.APPLICANT, Role.SECRETARIAT, Role.AUDITOR)


@bp.route("/grants")
@roles_required(*READERS)
def index() -> str:
    status = request.args.get("status") or None
    page = services.list_for(
        db.session(), actor(), status=status, page=page_arg(request.args.get("page"))
    )
    return render_template(
        "grants/list.html", page=page, status=status or "", statuses=list(GrantStatus)
    )


def _render(grant_id: int, **forms: object) -> str:
    user = actor()
    grant = services.get_grant_for(db.session(), user, grant_id)
    return render_template(
        "grants/detail.html",
        grant=grant,
        figures=services.figures(db.session(), grant),
        actions=GRANT_WORKFLOW.available(grant, user),
        reports=reporting_schedule(grant),
        accept_form=forms.get("accept_form") or AcceptForm(),
        reason_form=forms.get("reason_form") or ReasonForm(),
        release_form=forms.get("release_form") or ReleaseForm(),
        approve_form=ApproveReleaseForm(),
        approve_errors=forms.get("approve_errors") or {},
        show_payees=services.sees_payees(user),
        # Packages built on grants (reports, deployments) add their sections.
        sections=[
            found
            for _receiver, found in signals.grant_page_sections.send(
                grant, session=db.session(), user=user
            )
            if found is not None
        ],
    )


@bp.route("/grants/<int:grant_id>")
@roles_required(*READERS)
def detail(grant_id: int) -> str:
    return _render(grant_id)


@bp.route("/grants/<int:grant_id>/agreement.pdf")
@roles_required(*AGREEMENT_READERS)
def agreement(grant_id: int) -> Response:
    grant = services.get_grant_for(db.session(), actor(), grant_id)
    response = Response(agreement_pdf(db.session(), grant), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{grant.reference}-agreement.pdf"'
    return response


@bp.route("/grants/<int:grant_id>/accept", methods=["POST"])
@roles_required(Role.APPLICANT)
def accept(grant_id: int) -> Response | str:
    grant = services.get_grant_for(db.session(), actor(), grant_id, lock=True)
    form = AcceptForm()
    if form.validate_on_submit():
        with refusals(form):
            services.accept(
                db.session(), actor(), grant, name=form.name.data or "", title=form.title.data or ""
            )
            flash_after_commit(_("The agreement is accepted. The first tranche will be released."))
            return redirect(url_for("grants.detail", grant_id=grant_id))
    return _render(grant_id, accept_form=form)


def _manage(grant_id: int, action: str) -> Response | str:
    user = actor()
    grant = services.get_grant_for(db.session(), user, grant_id, lock=True)
    form = ReasonForm()
    needs_reason = action in ("suspend", "cancel")
    if needs_reason and not form.validate_on_submit():
        return _render(grant_id, reason_form=form)
    if not needs_reason:
        require_post_form()
    with refusals():
        if action == "suspend":
            services.suspend(db.session(), user, grant, form.reason.data or "")
        elif action == "resume":
            services.resume(db.session(), user, grant)
        elif action == "cancel":
            services.cancel(db.session(), user, grant, form.reason.data or "")
        elif action == "complete":
            services.complete(db.session(), user, grant)
        elif action == "commit":
            # Oldest first: checking the funds for one grant commits the queue in its order.
            committed = services.commit_waiting(db.session(), user)
            if grant.status_enum is GrantStatus.AWAITING_FUNDS:
                flash(
                    _(
                        "The fund does not hold enough uncommitted money for this grant yet;"
                        " waiting grants are committed oldest first (%(num)d committed now).",
                        num=committed,
                    ),
                    "info",
                )
        else:
            abort(404)
        flash_after_commit(_("The grant is now: %(status)s.", status=grant.status_enum.label))
    return redirect(url_for("grants.detail", grant_id=grant_id))


@bp.route(
    "/grants/<int:grant_id>/<any(suspend, resume, cancel, complete, commit):action>",
    methods=["POST"],
)
@roles_required(Role.SECRETARIAT)
def manage(grant_id: int, action: str) -> Response | str:
    return _manage(grant_id, action)


@bp.route("/grants/<int:grant_id>/releases", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def create_release(grant_id: int) -> Response | str:
    grant = services.get_grant_for(db.session(), actor(), grant_id, lock=True)
    form = ReleaseForm()
    if form.validate_on_submit():
        with refusals(form):
            services.create_disbursement(
                db.session(), actor(), grant, form.amount.data, form.note.data or ""
            )
            flash_after_commit(_("The release is prepared. A second officer must approve it."))
            return redirect(url_for("grants.detail", grant_id=grant_id))
    return _render(grant_id, release_form=form)


@bp.route("/releases/<int:disbursement_id>/approve", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def approve_release(disbursement_id: int) -> Response | str:
    disbursement = services.get_disbursement_for(db.session(), actor(), disbursement_id)
    grant_id = disbursement.grant_id
    form = ApproveReleaseForm()
    if not form.validate_on_submit():
        return _render(
            grant_id, approve_errors={disbursement_id: _("The payment reference is too long.")}
        )
    # The maker approving its own release gets a 403 page, as in the API.
    with refusals(let_through=(PermissionDenied,)):
        services.approve_disbursement(
            db.session(), actor(), disbursement, form.payment_reference.data or ""
        )
        flash_after_commit(_("Paid: the release is approved and recorded in the ledger."))
    return redirect(url_for("grants.detail", grant_id=grant_id))


@bp.route("/releases/<int:disbursement_id>/cancel", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def cancel_release(disbursement_id: int) -> Response:
    require_post_form()
    disbursement = services.get_disbursement_for(db.session(), actor(), disbursement_id, lock=True)
    with refusals():
        services.cancel_disbursement(db.session(), actor(), disbursement)
        flash_after_commit(_("The release is cancelled."), "info")
    return redirect(url_for("grants.detail", grant_id=disbursement.grant_id))
