"""/api/v1 routes for experts and deployments (DESIGN §5.2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, StrictStr

from app.api.core import Int, api_endpoint, current_api_user
from app.core.errors import ValidationError
from app.core.numbers import whole_number
from app.core.pagination import page_arg
from app.core.roles import Region, Role
from app.core.unit_of_work import keep_changes
from app.extensions import db
from app.grants import services as grants
from app.roster import deployments, matching, profiles
from app.roster.models import Deployment
from app.roster.serializers import deployment_json, expert_json, match_json

bp = Blueprint("roster_api", __name__, url_prefix="/api/v1")
REGIONS = frozenset(r.value for r in Region)  # the `region` filter is allow-listed


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LanguageIn(Strict):
    code: StrictStr
    level: StrictStr = "working"


class PeriodIn(Strict):
    start: StrictStr
    end: StrictStr


class ProfileIn(Strict):
    languages: list[StrictStr | LanguageIn] | None = None
    themes: list[StrictStr] | None = None
    mechanisms: list[StrictStr] | None = None
    years_experience: Int | None = None
    daily_rate: StrictStr | Int | None = None
    currency: StrictStr | None = None
    availability: list[PeriodIn] | None = None
    nationality: StrictStr | None = None
    current_position: StrictStr | None = None
    summary: StrictStr | None = None
    references: StrictStr | None = None


class VetIn(Strict):
    outcome: StrictStr
    note: StrictStr = ""


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


# -- experts ------------------------------------------------------------------------------------------


@bp.get("/experts/me")
@api_endpoint(summary="The expert's own profile", roles=[Role.EXPERT], tags=["roster"])
def my_profile() -> Response:
    expert = profiles.own_profile(db.session(), current_api_user())
    keep_changes()  # the profile may have just been started
    return jsonify(expert_json(expert))


@bp.put("/experts/me")
@api_endpoint(
    summary="Create or update the expert's own profile (status `applied` until vetted)",
    roles=[Role.EXPERT],
    body=ProfileIn,
    tags=["roster"],
)
def put_profile(body: ProfileIn) -> Response:
    user = current_api_user()
    expert = profiles.own_profile(db.session(), user)
    languages = (
        [lang if isinstance(lang, str) else (lang.code, lang.level) for lang in body.languages]
        if body.languages is not None
        else None
    )
    profiles.update_profile(
        db.session(),
        user,
        expert,
        profiles.ProfileChanges(
            languages=languages,
            themes=body.themes,
            mechanisms=body.mechanisms,
            years_experience=body.years_experience,
            daily_rate=None if body.daily_rate is None else str(body.daily_rate),
            currency=body.currency,
            availability=[(p.start, p.end) for p in body.availability]
            if body.availability is not None
            else None,
            nationality=body.nationality,
            current_position=body.current_position,
            summary=body.summary,
            references=body.references,
        ),
    )
    return jsonify(expert_json(expert))


@bp.post("/experts/<int:expert_id>/vet")
@api_endpoint(
    summary="Vet an expert: `active` or `rejected` (with a note)",
    roles=[Role.SECRETARIAT],
    body=VetIn,
    tags=["roster"],
)
def vet(expert_id: int, body: VetIn) -> Response:
    user = current_api_user()
    expert = profiles.get_expert_for(db.session(), user, expert_id, lock=True)
    profiles.vet(db.session(), user, expert, body.outcome, body.note)
    return jsonify(status=expert.status_enum.value)


def _date_param(name: str) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(name)s: give a date as YYYY-MM-DD", name=name), fields={name: "bad date"}
        ) from None


@bp.get("/experts")
@api_endpoint(
    summary="Search the roster, ranked with an explained score; `for_grant` matches a grant's"
    " request (nationals of its State excluded)",
    roles=[Role.SECRETARIAT],
    tags=["roster"],
)
def search() -> Response:
    session = db.session()
    start, end = _date_param("available_from"), _date_param("available_to")
    if start and end and end < start:
        raise ValidationError(
            _("available_to is before available_from"), fields={"available_to": "before start"}
        )
    grant_arg = request.args.get("for_grant")
    region = request.args.get("region") or None
    if region is not None and region not in REGIONS:
        raise ValidationError(
            _("region: one of %(regions)s", regions=", ".join(sorted(REGIONS))),
            fields={"region": "unknown region"},
        )
    if grant_arg:
        grant_id = whole_number(grant_arg)
        if grant_id is None:
            raise ValidationError(_("for_grant: a grant id"), fields={"for_grant": "invalid"})
        grant = grants.get_grant_for(session, current_api_user(), grant_id)
        criteria = matching.criteria_for_grant(grant, start, end)
    else:
        criteria = matching.Criteria(
            themes=[t for t in request.args.getlist("theme") if t],
            languages=[lang.lower() for lang in request.args.getlist("language") if lang],
            region=region,
            available_from=start,
            available_to=end,
            name=request.args.get("q") or None,
        )
    page = matching.search(session, criteria, page=page_arg(request.args.get("page")))
    return jsonify(
        items=[match_json(m) for m in page.items],
        page=page.page,
        pages=page.pages,
        total=page.total,
        total_capped=page.capped,
    )


# -- deployments --------------------------------------------------------------------------------------


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
    deployment = deployments.propose(
        session,
        user,
        grant,
        expert,
        deployments.Terms(
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
    disbursement = deployments.request_payment(
        session, user, deployment, body.kind, str(body.amount), body.note
    )
    return jsonify(
        id=disbursement.id,
        status=disbursement.status_enum.value,
        kind=disbursement.kind_enum.value,
        amount=disbursement.amount.as_string(),
        currency=disbursement.currency,
    ), 201
