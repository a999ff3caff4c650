"""/api/v1 routes for deployments (design.md §5.2)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify
from pydantic import StrictStr

from app.api.core import Int, Strict, api_endpoint, current_api_user
from app.core.roles import Role
from app.deployments import expert_payments, proposals
from app.deployments import services as deployments
from app.deployments.models import Deployment
from app.deployments.serializers import deployment_json
from app.experts import profiles
from app.extensions import db
from app.grants import services as grants

bp = Blueprint("deployments_api", __name__, url_prefix="/api/v1")


class DeploymentIn(Strict):
    expert_id: Int
    start: StrictStr
    end: StrictStr
    person_days: Int
    terms_of_reference: StrictStr = ""
    travel_budget: StrictStr | Int = "0"
    fx_rate: StrictStr | None = None


class EmptyIn(Strict):
    pass


class ReasonIn(Strict):
    reason: StrictStr = ""


class ConsentIn(Strict):
    """Who consents; without a name and title, the signed-in focal point's own are recorded."""

    official_name: StrictStr = ""
    official_title: StrictStr = ""


class ReportIn(Strict):
    summary: StrictStr
    activities: StrictStr = ""
    recommendations_state: StrictStr = ""
    recommendations_partners: StrictStr = ""


class ReviewIn(Strict):
    outcome: StrictStr
    note: StrictStr = ""


class RatingIn(Strict):
    rating: Int
    comment: StrictStr = ""


class PaymentIn(Strict):
    kind: StrictStr
    amount: StrictStr | Int
    note: StrictStr = ""


@bp.post("/grants/<int:grant_id>/deployments")
@api_endpoint(
    summary="Propose an expert for a mission under the grant",
    roles=[Role.SECRETARIAT],
    body=DeploymentIn,
    status=201,
    tags=["roster"],
)
def propose(grant_id: int, body: DeploymentIn) -> tuple[Response, int]:
    session = db.session()
    user = current_api_user()
    grant = grants.get_grant_for(session, user, grant_id, lock=True)
    expert = profiles.get_expert_for(session, user, body.expert_id)
    deployment = proposals.propose(
        session,
        user,
        grant,
        expert,
        proposals.Terms(
            start=body.start,
            end=body.end,
            person_days=body.person_days,
            terms_of_reference=body.terms_of_reference
            or f"Technical assistance to {grant.state.name} under {grant.reference}: "
            f"{grant.application.title}.",
            travel_budget=str(body.travel_budget),
            fx_rate=body.fx_rate,
        ),
    )
    return jsonify(deployment_json(deployment)), 201


@bp.get("/deployments/<int:deployment_id>")
@api_endpoint(
    summary="A deployment",
    roles=[Role.SECRETARIAT, Role.AUDITOR, Role.EXPERT, Role.APPLICANT],
    tags=["roster"],
)
def get_deployment(deployment_id: int) -> Response:
    deployment = deployments.get_for(db.session(), current_api_user(), deployment_id)
    return jsonify(deployment_json(deployment))


def _status(deployment_id: int, change: Callable[[Deployment], None]) -> Response:
    session = db.session()
    deployment = deployments.get_for(session, current_api_user(), deployment_id, lock=True)
    change(deployment)
    return jsonify(status=deployment.status_enum.value)


@bp.post("/deployments/<int:deployment_id>/accept")
@api_endpoint(
    summary="The expert accepts the offer", roles=[Role.EXPERT], body=EmptyIn, tags=["roster"]
)
def accept(deployment_id: int, body: EmptyIn) -> Response:
    return _status(deployment_id, lambda d: deployments.accept(db.session(), current_api_user(), d))


@bp.post("/deployments/<int:deployment_id>/decline")
@api_endpoint(
    summary="The expert declines the offer", roles=[Role.EXPERT], body=ReasonIn, tags=["roster"]
)
def decline(deployment_id: int, body: ReasonIn) -> Response:
    return _status(
        deployment_id,
        lambda d: deployments.decline(db.session(), current_api_user(), d, body.reason),
    )


@bp.post("/deployments/<int:deployment_id>/consent")
@api_endpoint(
    summary="The State consents to the mission: it is scheduled",
    roles=[Role.APPLICANT],
    body=ConsentIn,
    tags=["roster"],
)
def consent(deployment_id: int, body: ConsentIn) -> Response:
    user = current_api_user()
    return _status(
        deployment_id,
        lambda d: deployments.consent(
            db.session(),
            user,
            d,
            name=body.official_name.strip() or user.name,
            title=body.official_title.strip() or user.official_title,
        ),
    )


@bp.post("/deployments/<int:deployment_id>/refuse")
@api_endpoint(
    summary="The State does not consent: the mission is cancelled",
    roles=[Role.APPLICANT],
    body=ReasonIn,
    tags=["roster"],
)
def refuse(deployment_id: int, body: ReasonIn) -> Response:
    return _status(
        deployment_id,
        lambda d: deployments.refuse(db.session(), current_api_user(), d, body.reason),
    )


@bp.post("/deployments/<int:deployment_id>/report")
@api_endpoint(
    summary="The expert files the mission report",
    roles=[Role.EXPERT],
    body=ReportIn,
    tags=["roster"],
)
def report(deployment_id: int, body: ReportIn) -> Response:
    return _status(
        deployment_id,
        lambda d: deployments.report(
            db.session(),
            current_api_user(),
            d,
            deployments.MissionReport(
                summary=body.summary,
                activities=body.activities,
                recommendations_state=body.recommendations_state,
                recommendations_partners=body.recommendations_partners,
            ),
        ),
    )


@bp.post("/deployments/<int:deployment_id>/review")
@api_endpoint(
    summary="The secretariat reviews the report: `completed` or `revision_requested`",
    roles=[Role.SECRETARIAT],
    body=ReviewIn,
    tags=["roster"],
)
def review(deployment_id: int, body: ReviewIn) -> Response:
    return _status(
        deployment_id,
        lambda d: deployments.review(db.session(), current_api_user(), d, body.outcome, body.note),
    )


@bp.post("/deployments/<int:deployment_id>/cancel")
@api_endpoint(
    summary="The secretariat cancels the deployment (with a reason)",
    roles=[Role.SECRETARIAT],
    body=ReasonIn,
    tags=["roster"],
)
def cancel(deployment_id: int, body: ReasonIn) -> Response:
    return _status(
        deployment_id,
        lambda d: deployments.cancel(db.session(), current_api_user(), d, body.reason),
    )


@bp.post("/deployments/<int:deployment_id>/rating")
@api_endpoint(
    summary="The State rates a completed mission (1–5)",
    roles=[Role.APPLICANT],
    body=RatingIn,
    tags=["roster"],
)
def rate(deployment_id: int, body: RatingIn) -> Response:
    session = db.session()
    deployment = deployments.get_for(session, current_api_user(), deployment_id, lock=True)
    deployments.rate(session, current_api_user(), deployment, body.rating, body.comment)
    return jsonify(status=deployment.status_enum.value, rating=deployment.rating)


@bp.post("/deployments/<int:deployment_id>/payments")
@api_endpoint(
    summary="Prepare the expert's fee or travel payment (the maker's step)",
    roles=[Role.SECRETARIAT],
    body=PaymentIn,
    status=201,
    tags=["roster"],
)
def pay(deployment_id: int, body: PaymentIn) -> tuple[Response, int]:
    session = db.session()
    user = current_api_user()
    deployment = deployments.get_for(session, user, deployment_id, lock=True)
    disbursement = expert_payments.request_payment(
        session, user, deployment, body.kind, str(body.amount), body.note
    )
    return jsonify(
        id=disbursement.id,
        status=disbursement.status_enum.value,
        kind=disbursement.kind_enum.value,
        amount=disbursement.amount.as_string(),
        currency=disbursement.currency,
    ), 201
