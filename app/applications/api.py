"""/api/v1/applications: create, read and submit (design.md §5.2); screening is the committee's
(app/committee/api.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import Field, StrictInt, StrictStr

from app.api.core import Int, Strict, api_endpoint, current_api_user, page_response
from app.applications import services
from app.applications.letters import decision_letter_response
from app.applications.serializers import application_json, application_summary_json
from app.applications.specs import (
    ApplicationSpec,
    BudgetLineSpec,
    ConsentSpec,
    ExpertiseSpec,
    IndicatorSpec,
    OverviewSpec,
    RecommendationSpec,
)
from app.core.pagination import page_arg
from app.core.roles import Role
from app.extensions import db

bp = Blueprint("applications_api", __name__, url_prefix="/api/v1")

Text = StrictStr
Number = StrictStr | StrictInt | float  # kept as text, so never overflows


class RecommendationIn(Strict):
    mechanism: Text
    reference: Text
    text: Text
    recommending_body: Text = ""
    cycle: Text = ""


class IndicatorIn(Strict):
    name: Text
    baseline: Number
    target: Number
    result: Text = ""


class BudgetLineIn(Strict):
    category: Text
    description: Text
    amount: StrictStr | Int = Field(description='decimal string, e.g. "12000.00"')


class ExpertiseIn(Strict):
    themes: list[Text] = []
    languages: list[Text] = []
    person_days: Int | None = None


class ConsentIn(Strict):
    official_name: Text
    official_title: Text
    given: bool


class ApplicationIn(Strict):
    title: Text
    summary: Text = ""
    objectives: Text = ""
    activities: Text = ""
    themes: list[Text] = []
    recommendations: list[RecommendationIn] = []
    sdgs: list[Int] = []
    indicators: list[IndicatorIn] = []
    budget: list[BudgetLineIn] = []
    currency: Text | None = None
    duration_months: Int | None = None
    implementing_entity: Text = ""
    cofinancing_amount: StrictStr | Int | None = None
    cofinancing_note: Text = ""
    expertise: ExpertiseIn = ExpertiseIn()
    consent: ConsentIn | None = None


APPLICATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string", "pattern": "^SPTF-[0-9]{4}-[0-9]{4,}$"},
        "status": {"type": "string"},
        "requested_amount": {"type": "string"},
        "recommendations": {"type": "array"},
        "indicators": {"type": "array"},
    },
}


def _spec(body: ApplicationIn) -> ApplicationSpec:
    return ApplicationSpec(
        overview=OverviewSpec(
            title=body.title,
            summary=body.summary,
            objectives=body.objectives,
            activities=body.activities,
            duration_months=body.duration_months,
            implementing_entity=body.implementing_entity,
            themes=body.themes,
            sdgs=body.sdgs,
        ),
        currency=body.currency,
        recommendations=[RecommendationSpec(**r.model_dump()) for r in body.recommendations],
        indicators=[
            IndicatorSpec(
                name=i.name, baseline=str(i.baseline), target=str(i.target), result=i.result
            )
            for i in body.indicators
        ],
        budget=[
            BudgetLineSpec(category=b.category, description=b.description, amount=str(b.amount))
            for b in body.budget
        ],
        expertise=ExpertiseSpec(
            themes=body.expertise.themes,
            languages=body.expertise.languages,
            person_days=body.expertise.person_days,
        ),
        consent=ConsentSpec(**body.consent.model_dump()) if body.consent else None,
        cofinancing_amount=str(body.cofinancing_amount)
        if body.cofinancing_amount is not None
        else None,
        cofinancing_note=body.cofinancing_note,
    )


@bp.get("/applications")
@api_endpoint(
    summary="Applications this user may see",
    roles=[Role.APPLICANT, Role.SECRETARIAT, Role.COMMITTEE, Role.AUDITOR],
    tags=["applications"],
)
def list_applications() -> Response:
    page = services.list_for(
        db.session(),
        current_api_user(),
        status=request.args.get("status"),
        page=page_arg(request.args.get("page")),
    )
    return page_response(page, [application_summary_json(a) for a in page.items])


@bp.post("/applications")
@api_endpoint(
    summary="Create a draft application for the caller's State",
    roles=[Role.APPLICANT],
    body=ApplicationIn,
    status=201,
    response=APPLICATION_SCHEMA,
    tags=["applications"],
)
def create_application(body: ApplicationIn) -> tuple[Response, int]:
    application = services.create_application(db.session(), current_api_user(), _spec(body))
    return jsonify(
        id=application.id,
        reference=application.reference,
        status=application.status_enum.value,
        requested_amount=application.requested.as_string(),
        currency=application.currency,
    ), 201


@bp.get("/applications/<int:application_id>")
@api_endpoint(
    summary="One application",
    roles=[Role.APPLICANT, Role.SECRETARIAT, Role.COMMITTEE, Role.AUDITOR],
    response=APPLICATION_SCHEMA,
    tags=["applications"],
)
def get_application(application_id: int) -> Response:
    user = current_api_user()
    application = services.get_application_for(db.session(), user, application_id)
    return jsonify(application_json(application, user))


@bp.post("/applications/<int:application_id>/submit")
@api_endpoint(summary="Submit (or resubmit) a draft", roles=[Role.APPLICANT], tags=["applications"])
def submit_application(application_id: int) -> Response:
    user = current_api_user()
    application = services.get_application_for(db.session(), user, application_id, lock=True)
    version = services.submit(db.session(), user, application)
    return jsonify(status=application.status_enum.value, version=version.number)


@bp.get("/applications/<int:application_id>/decision.pdf")
@api_endpoint(
    summary="The decision letter (approved, rejected or ineligible)",
    description="The State, the secretariat and the auditor; the committee members of its "
    "ballot once decided. 404 while there is no decision to tell.",
    roles=[Role.APPLICANT, Role.SECRETARIAT, Role.COMMITTEE, Role.AUDITOR],
    media_type="application/pdf",
    tags=["applications"],
)
def decision_letter(application_id: int) -> Response:
    application = services.get_application_for(db.session(), current_api_user(), application_id)
    return decision_letter_response(application)
