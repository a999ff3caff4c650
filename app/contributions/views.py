"""Contribution pages: the secretariat records transfers and pledges; donors give by card,
follow their gifts and download receipts and statements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.auth.current import actor
from app.contributions import card_gifts, corrections, documents, services, stripe_gateway
from app.contributions.forms import (
    ContributionForm,
    GiftForm,
    PledgePaymentForm,
    ReasonForm,
    StatementForm,
)
from app.contributions.models import Contribution, ContributionStatus
from app.core.database import today
from app.core.errors import DomainError, PermissionDenied
from app.core.money import fund_currency
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals, require_post_form, submit_form
from app.extensions import db

bp = Blueprint("contributions", __name__)
READERS = (Role.DONOR, Role.SECRETARIAT, Role.AUDITOR)


@bp.route("/contributions")
@roles_required(*READERS)
def index() -> str:
    status = request.args.get("status") or None
    page = services.list_for(
        db.session(), actor(), status=status, page=page_arg(request.args.get("page"))
    )
    return render_template(
        "contributions/list.html",
        page=page,
        status=status or "",
        statuses=list(ContributionStatus),
        statement_form=StatementForm(
            formdata=None,
            data={"date_from": date(today().year, 1, 1), "date_to": today()},
        ),
    )


@bp.route("/contributions/new/<any(bank, pledge):kind>", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def new(kind: str) -> Response | str:
    form = ContributionForm()
    if form.validate_on_submit():
        with refusals(form):
            donor = services.find_donor(db.session(), form.donor_email.data or "")
            if kind == "bank":
                contribution = services.record_bank(
                    db.session(),
                    actor(),
                    donor,
                    form.amount.data,
                    form.currency.data or "",
                    reference=form.reference.data or "",
                    rate=form.rate.data,
                    received_on=form.received_on.data,
                    note=form.note.data or "",
                )
            else:
                contribution = services.record_pledge(
                    db.session(),
                    actor(),
                    donor,
                    form.amount.data,
                    form.currency.data or "",
                    rate=form.rate.data,
                    due_on=form.due_on.data,
                    reference=form.reference.data or "",
                    note=form.note.data or "",
                )
            flash_after_commit(_("Recorded."))
            return redirect(url_for("contributions.detail", contribution_id=contribution.id))
    return render_template(
        "contributions/new.html", form=form, kind=kind, fund_currency=fund_currency()
    )


def _detail(contribution: Contribution, **forms: FlaskForm) -> str:
    payment_form = forms.get("payment_form") or PledgePaymentForm()
    # The currency is said with the field (aria-describedby), not in a loose paragraph.
    payment_form.amount.description = _(
        "In %(currency)s, the pledge's currency.", currency=contribution.original_currency
    )
    return render_template(
        "contributions/detail.html",
        contribution=contribution,
        payment_form=payment_form,
        correction_form=forms.get("correction_form") or ReasonForm(),
        cancel_form=forms.get("cancel_form") or ReasonForm(),
    )


@bp.route("/contributions/<int:contribution_id>")
@roles_required(*READERS)
def detail(contribution_id: int) -> str:
    return _detail(services.get_for(db.session(), actor(), contribution_id))


@bp.route("/contributions/<int:contribution_id>/payment", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def pledge_payment(contribution_id: int) -> Response | str:
    contribution = services.get_for(db.session(), actor(), contribution_id, lock=True)
    form = PledgePaymentForm()
    if form.validate_on_submit():
        with refusals(form):
            services.record_pledge_payment(
                db.session(),
                actor(),
                contribution,
                form.amount.data,
                reference=form.reference.data or "",
                received_on=form.received_on.data,
                rate=form.rate.data or None,
            )
            flash_after_commit(_("The payment is recorded."))
            return redirect(url_for("contributions.detail", contribution_id=contribution_id))
    return _detail(contribution, payment_form=form)


# -- corrections ---------------------------------------------------------------------------------


def _with_reason(
    contribution_id: int,
    form_name: str,
    change: Callable[[Contribution, str], None],
    done: str,
) -> Response | str:
    contribution = services.get_for(db.session(), actor(), contribution_id, lock=True)
    form = ReasonForm()
    return submit_form(
        form,
        lambda: change(contribution, form.reason.data or ""),
        done=done,
        then=url_for("contributions.detail", contribution_id=contribution_id),
        again=lambda f: _detail(contribution, **{form_name: f}),
    )


@bp.route("/contributions/<int:contribution_id>/correction", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def request_correction(contribution_id: int) -> Response | str:
    """The maker asks for a transfer recorded by mistake to be taken back."""
    return _with_reason(
        contribution_id,
        "correction_form",
        lambda c, reason: corrections.request_correction(db.session(), actor(), c, reason),
        _("The correction is asked for. A second officer must confirm it."),
    )


@bp.route("/contributions/<int:contribution_id>/correction/confirm", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def confirm_correction(contribution_id: int) -> Response:
    """The checker confirms: the receipt is reversed."""
    require_post_form()
    contribution = services.get_for(db.session(), actor(), contribution_id, lock=True)
    # The officer who asked confirming gets a 403 page, as for releases.
    with refusals(let_through=(PermissionDenied,)):
        corrections.correct_bank(db.session(), actor(), contribution)
        flash_after_commit(_("The transfer is taken back: its receipt is reversed in the ledger."))
    return redirect(url_for("contributions.detail", contribution_id=contribution_id))


@bp.route("/contributions/<int:contribution_id>/correction/withdraw", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def withdraw_correction(contribution_id: int) -> Response:
    require_post_form()
    contribution = services.get_for(db.session(), actor(), contribution_id, lock=True)
    with refusals():
        corrections.withdraw_correction(db.session(), actor(), contribution)
        flash_after_commit(_("The correction is withdrawn; the transfer stands."), "info")
    return redirect(url_for("contributions.detail", contribution_id=contribution_id))


@bp.route("/contributions/<int:contribution_id>/cancel", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def cancel_pledge(contribution_id: int) -> Response | str:
    return _with_reason(
        contribution_id,
        "cancel_form",
        lambda c, reason: corrections.cancel_pledge(db.session(), actor(), c, reason),
        _("What was still pledged is cancelled."),
    )


@bp.route("/contributions/<int:contribution_id>/receipt.pdf")
@roles_required(*READERS)
def receipt(contribution_id: int) -> Response:
    contribution = services.get_for(db.session(), actor(), contribution_id)
    if not contribution.has_receipt:
        abort(404)
    response = Response(documents.receipt_pdf(contribution), mimetype="application/pdf")
    name = contribution.receipt_number or f"pledge-{contribution.id}"
    response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@bp.route("/statement.pdf")
@roles_required(Role.DONOR)
def statement() -> Response | str:
    form = StatementForm(request.args)
    if not form.validate():
        flash(_("Choose the start and end dates of the statement."), "error")
        return redirect(url_for("contributions.index"))
    try:
        pdf = documents.statement_pdf(db.session(), actor(), form.date_from.data, form.date_to.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("contributions.index"))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="sptf-statement.pdf"'
    return response


# -- card gifts -------------------------------------------------------------------------------------------


@bp.route("/give", methods=["GET", "POST"])
@roles_required(Role.DONOR)
def give() -> Response | str:
    enabled = stripe_gateway.card_giving_enabled()
    form = GiftForm()
    if enabled and form.validate_on_submit():
        with refusals(form):
            # The gift and its idempotency key are committed before Stripe is called.
            contribution = card_gifts.start(db.session(), actor(), form.amount.data)
            return redirect(url_for("contributions.pay", contribution_id=contribution.id))
    form.amount.description = _("In %(currency)s.", currency=fund_currency())
    return render_template(
        "contributions/give.html", form=form, enabled=enabled, fund_currency=fund_currency()
    )


@bp.route("/give/<int:contribution_id>")
@roles_required(Role.DONOR)
def pay(contribution_id: int) -> Response | str:
    contribution = services.get_for(db.session(), actor(), contribution_id)
    if contribution.status_enum is not ContributionStatus.PENDING:
        return redirect(url_for("contributions.detail", contribution_id=contribution.id))
    try:
        payment = card_gifts.pay(db.session(), actor(), contribution_id)
    except card_gifts.GiftExpired as expired:
        flash(expired.message, "error")
        return redirect(url_for("contributions.give"))
    except card_gifts.CardRefused as refusal:
        flash(
            _("Card payments are not available right now: %(reason)s", reason=refusal.reason),
            "error",
        )
        return redirect(url_for("contributions.give"))
    return render_template(
        "contributions/pay.html",
        contribution=payment.contribution,
        client_secret=payment.client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        stripe_js=(current_app.config.get("STRIPE_API_BASE") or "https://js.stripe.com").rstrip("/")
        + ("/js.stripe.com/v3/" if current_app.config.get("STRIPE_API_BASE") else "/v3/"),
        return_url=url_for(
            "contributions.detail", contribution_id=payment.contribution.id, _external=True
        ),
    )
