"""/api/v1 routes for screening, recusal, votes, the decision and the ballot (design.md §5.2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import Field, StrictStr

from app.api.core import Int, Strict, api_endpoint, current_api_user
from app.applications import services as applications
from app.committee import ballots, decisions, screening
from app.core.roles import Role
from app.extensions import db
from app.grants import services as grants

bp = Blueprint("committee_api", __name__, url_prefix="/api/v1")


class ScreeningIn(Strict):
    outcome: StrictStr = Field(description="eligible, returned or ineligible")
    note: StrictStr = ""
    referral: StrictStr = Field(
        default="",
        description="ineligible: where the State may turn instead (optional; by default the "
        "reasons in the note stand for it)",
    )
    deadline: datetime | None = Field(
        default=None, description="ballot deadline (eligible); default 14 days"
    )


class RecusalIn(Strict):
    reason: StrictStr


class VoteIn(Strict):
    choice: StrictStr
    comment: StrictStr = ""
    proposed_amount: StrictStr | Int | None = None


class DecisionIn(Strict):
    approved_amount: StrictStr | Int | None = None
    reasons: StrictStr = ""


DECISION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "string"},
        "tally": {
            "type": "object",
            "properties": {
                k: {"type": "integer"} for k in ("approve", "reject", "abstain", "recused")
            },
        },
        "approved_amount": {"type": ["string", "null"]},
        "grant_id": {"type": ["integer", "null"]},
    },
}


@bp.post("/applications/<int:application_id>/screening")
@api_endpoint(
    summary="Screen a submitted application",
    roles=[Role.SECRETARIAT],
    body=ScreeningIn,
    tags=["applications"],
)
def screen_application(application_id: int, body: ScreeningIn) -> Response:
    user = current_api_user()
    application = applications.get_application_for(db.session(), user, application_id, lock=True)
    deadline = body.deadline
    if deadline is not None and deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)  # a deadline without an offset is UTC
    screening.screen(
        db.session(),
        user,
        application,
        body.outcome,
        note=body.note,
        referral=body.referral,
        deadline=deadline,
    )
    return jsonify(status=application.status_enum.value)


@bp.post("/applications/<int:application_id>/recusal")
@api_endpoint(
    summary="Declare a conflict of interest and step aside",
    roles=[Role.COMMITTEE],
    body=RecusalIn,
    tags=["committee"],
)
def recusal(application_id: int, body: RecusalIn) -> Response:
    user = current_api_user()
    application = applications.get_application_for(db.session(), user, application_id, lock=True)
    member = ballots.declare_conflict(db.session(), user, application, body.reason)
    return jsonify(recused=member.recused, reason=member.recusal_reason)


@bp.post("/applications/<int:application_id>/votes")
@api_endpoint(
    summary="Cast or change your vote (one per member)",
    roles=[Role.COMMITTEE],
    body=VoteIn,
    tags=["committee"],
)
def vote(application_id: int, body: VoteIn) -> Response:
    user = current_api_user()
    application = applications.get_application_for(db.session(), user, application_id, lock=True)
    cast = ballots.cast_vote(
        db.session(),
        user,
        application,
        body.choice,
        body.comment,
        str(body.proposed_amount) if body.proposed_amount is not None else None,
    )
    return jsonify(choice=cast.choice.value, changes=cast.changes)


@bp.post("/applications/<int:application_id>/decision")
@api_endpoint(
    summary="Close the ballot and record the decision",
    roles=[Role.SECRETARIAT],
    body=DecisionIn,
    response=DECISION_SCHEMA,
    tags=["committee"],
)
def decision(application_id: int, body: DecisionIn) -> Response:
    user = current_api_user()
    application = applications.get_application_for(db.session(), user, application_id, lock=True)
    _ballot, result = decisions.close_ballot(
        db.session(),
        user,
        application,
        approved_amount=str(body.approved_amount) if body.approved_amount is not None else None,
        reasons=body.reasons,
    )
    return jsonify(
        status=application.status_enum.value,
        tally=result.as_dict(),
        approved_amount=application.approved.as_string() if application.approved else None,
        grant_id=grant.id
        if (grant := grants.grant_for_application(db.session(), application))
        else None,
    )


@bp.get("/applications/<int:application_id>/ballot")
@api_endpoint(
    summary="The current ballot: who has voted, and after the close how",
    roles=[Role.COMMITTEE, Role.SECRETARIAT, Role.AUDITOR],
    tags=["committee"],
)
def ballot(application_id: int) -> Response:
    user = current_api_user()
    application = applications.get_application_for(db.session(), user, application_id)
    current = ballots.current_ballot(db.session(), application)
    if current is None:
        return jsonify(ballot=None)
    show = ballots.can_see_choices(user, current)
    members = []
    for member in current.members:
        cast = current.vote_of(member)
        entry: dict[str, Any] = {
            "name": member.user.display_name,
            "region": member.region,
            "recused": member.recused,
            "voted": cast is not None,
        }
        if show and cast is not None:
            entry["choice"] = cast.choice.value
            entry["comment"] = cast.comment
        members.append(entry)
    return jsonify(
        ballot={
            "number": current.number,
            "status": current.status,
            "deadline": current.deadline.isoformat(),
            "outcome": current.outcome,
            "members": members,
            "tally": {
                "approve": current.approve_count,
                "reject": current.reject_count,
                "abstain": current.abstain_count,
                "recused": current.recused_count,
            }
            if not current.is_open
            else None,
        }
    )
