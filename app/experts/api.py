"""/api/v1 routes for an expert's own profile and its vetting (design.md §5.2)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from pydantic import StrictStr

from app.api.core import Int, Strict, api_endpoint, current_api_user
from app.core.roles import Role
from app.core.unit_of_work import keep_changes
from app.experts import profiles
from app.experts.serializers import expert_json
from app.extensions import db

bp = Blueprint("experts_api", __name__, url_prefix="/api/v1")


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
