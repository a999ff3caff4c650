"""/api/v1 routes for grants, acceptance, the agreement, releases and their approval."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from pydantic import StrictInt, StrictStr

from app.api.core import Strict, api_endpoint, current_api_user
from app.core.roles import Role
from app.extensions import db
from app.grants import services
from app.grants.agreement import agreement_pdf
from app.grants.serializers import grant_json

bp = Blueprint("grants_api", __name__, url_prefix="/api/v1")


class AcceptIn(Strict):
    """Who signs; without a name and title, the signed-in focal point's own are recorded."""

    official_name: StrictStr = ""
    official_title: StrictStr = ""


class ReleaseIn(Strict):
    amount: StrictStr | StrictInt
    note: StrictStr = ""


class ApproveIn(Strict):
    payment_reference: StrictStr = ""


@bp.get("/grants/<int:grant_id>")
@api_endpoint(summary="A grant and its money", roles=list(services.READERS), tags=["grants"])
def get_grant(grant_id: int) -> Response:
    user = current_api_user()
    grant = services.get_grant_for(db.session(), user, grant_id)
    return jsonify(grant_json(db.session(), grant, user))


@bp.post("/grants/<int:grant_id>/accept")
@api_endpoint(
    summary="The State accepts the grant agreement",
    roles=[Role.APPLICANT],
    body=AcceptIn,
    tags=["grants"],
)
def accept(grant_id: int, body: AcceptIn) -> Response:
    user = current_api_user()
    grant = services.get_grant_for(db.session(), user, grant_id, lock=True)
    services.accept(
        db.session(),
        user,
        grant,
        name=body.official_name.strip() or user.name,
        title=body.official_title.strip() or user.official_title,
    )
    return jsonify(status=grant.status_enum.value)


@bp.get("/grants/<int:grant_id>/agreement.pdf")
@api_endpoint(
    summary="The grant agreement",
    roles=[Role.APPLICANT, Role.SECRETARIAT, Role.AUDITOR],
    media_type="application/pdf",
    tags=["grants"],
)
def agreement(grant_id: int) -> Response:
    grant = services.get_grant_for(db.session(), current_api_user(), grant_id)
    return Response(agreement_pdf(db.session(), grant), mimetype="application/pdf")


@bp.post("/grants/<int:grant_id>/disbursements")
@api_endpoint(
    summary="Prepare a release (the maker's step)",
    roles=[Role.SECRETARIAT],
    body=ReleaseIn,
    status=201,
    tags=["grants"],
)
def create_disbursement(grant_id: int, body: ReleaseIn) -> tuple[Response, int]:
    user = current_api_user()
    grant = services.get_grant_for(db.session(), user, grant_id, lock=True)
    disbursement = services.create_disbursement(
        db.session(), user, grant, str(body.amount), body.note
    )
    return jsonify(
        id=disbursement.id,
        status=disbursement.status_enum.value,
        amount=disbursement.amount.as_string(),
        currency=disbursement.currency,
    ), 201


@bp.post("/disbursements/<int:disbursement_id>/approve")
@api_endpoint(
    summary="Approve a release (a different officer): the money moves",
    roles=[Role.SECRETARIAT],
    body=ApproveIn,
    tags=["grants"],
)
def approve(disbursement_id: int, body: ApproveIn) -> Response:
    user = current_api_user()
    disbursement = services.get_disbursement_for(db.session(), user, disbursement_id)
    services.approve_disbursement(db.session(), user, disbursement, body.payment_reference)
    return jsonify(
        status=disbursement.status_enum.value, transaction_id=disbursement.transaction_id
    )
