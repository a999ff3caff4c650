"""/api/v1 routes for recorded contributions (secretariat) and card donations (donors)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Blueprint, Response, jsonify
from pydantic import StrictInt, StrictStr

from app.api.core import Strict, api_endpoint, current_api_user
from app.contributions import card_gifts, corrections, services
from app.contributions.models import Contribution
from app.core.roles import Role
from app.extensions import db

bp = Blueprint("contributions_api", __name__, url_prefix="/api/v1")


class ContributionIn(Strict):
    donor_email: StrictStr
    amount: StrictStr | StrictInt
    currency: StrictStr
    reference: StrictStr = ""
    kind: Literal["bank", "pledge"] = "bank"
    rate: StrictStr | None = None
    received_on: date | None = None
    due_on: date | None = None
    note: StrictStr = ""


class DonationIn(Strict):
    amount: StrictStr | StrictInt
    currency: StrictStr | None = None


@bp.post("/contributions")
@api_endpoint(
    summary="Record a bank transfer or a pledge",
    roles=[Role.SECRETARIAT],
    body=ContributionIn,
    status=201,
    tags=["money"],
)
def record(body: ContributionIn) -> tuple[Response, int]:
    user = current_api_user()
    donor = services.find_donor(db.session(), body.donor_email)
    if body.kind == "bank":
        contribution = services.record_bank(
            db.session(),
            user,
            donor,
            str(body.amount),
            body.currency,
            reference=body.reference,
            rate=body.rate,
            received_on=body.received_on,
            note=body.note,
        )
    else:
        contribution = services.record_pledge(
            db.session(),
            user,
            donor,
            str(body.amount),
            body.currency,
            rate=body.rate,
            due_on=body.due_on,
            reference=body.reference,
            note=body.note,
        )
    return jsonify(
        id=contribution.id,
        kind=contribution.kind,
        status=contribution.status_enum.value,
        amount=contribution.original.as_string(),
        currency=contribution.original_currency,
        base_amount=contribution.base.as_string(),
        base_currency=contribution.base_currency,
        receipt_number=contribution.receipt_number,
    ), 201


@bp.post("/donations")
@api_endpoint(
    summary="Start a card donation: returns the PaymentIntent to confirm in the browser",
    roles=[Role.DONOR],
    body=DonationIn,
    status=201,
    tags=["money"],
)
def donate(body: DonationIn) -> tuple[Response, int]:
    user = current_api_user()
    contribution = card_gifts.start(db.session(), user, str(body.amount), body.currency)
    payment = card_gifts.pay(db.session(), user, contribution.id)
    return jsonify(
        id=payment.contribution.id,
        payment_intent_id=payment.payment_intent_id,
        client_secret=payment.client_secret,
        status="pending",
    ), 201


class ReasonIn(Strict):
    reason: StrictStr


def _state(contribution: Contribution) -> Response:
    return jsonify(
        id=contribution.id,
        status=contribution.status_enum.value,
        correction="pending" if contribution.correction_pending else None,
    )


@bp.post("/contributions/<int:contribution_id>/correction")
@api_endpoint(
    summary="Ask for a bank transfer recorded by mistake to be taken back (the maker's step)",
    roles=[Role.SECRETARIAT],
    body=ReasonIn,
    tags=["money"],
)
def request_correction(contribution_id: int, body: ReasonIn) -> Response:
    user = current_api_user()
    contribution = services.get_for(db.session(), user, contribution_id, lock=True)
    corrections.request_correction(db.session(), user, contribution, body.reason)
    return _state(contribution)


@bp.post("/contributions/<int:contribution_id>/correction/confirm")
@api_endpoint(
    summary="Confirm a correction (a different officer): the transfer's receipt is reversed",
    roles=[Role.SECRETARIAT],
    tags=["money"],
)
def confirm_correction(contribution_id: int) -> Response:
    user = current_api_user()
    contribution = services.get_for(db.session(), user, contribution_id, lock=True)
    corrections.correct_bank(db.session(), user, contribution)
    return _state(contribution)


@bp.post("/contributions/<int:contribution_id>/cancel")
@api_endpoint(
    summary="Cancel what is still owed on a pledge",
    roles=[Role.SECRETARIAT],
    body=ReasonIn,
    tags=["money"],
)
def cancel_pledge(contribution_id: int, body: ReasonIn) -> Response:
    user = current_api_user()
    contribution = services.get_for(db.session(), user, contribution_id, lock=True)
    corrections.cancel_pledge(db.session(), user, contribution, body.reason)
    return _state(contribution)
