"""/api/v1 routes for reports (design.md §5.2), and a grant's reports in its JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import StrictFloat, StrictStr
from sqlalchemy.orm import Session

from app.api.core import Int, Strict, api_endpoint, current_api_user
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from app.grants import services as grants
from app.grants.models import Grant
from app.reports import services
from app.reports.models import Report

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")


class IndicatorIn(Strict):
    id: Int
    actual: StrictStr | Int | StrictFloat
    comment: StrictStr = ""


class RecommendationIn(Strict):
    id: Int
    status: StrictStr
    evidence: StrictStr = ""


class SubmitIn(Strict):
    narrative: StrictStr
    challenges: StrictStr = ""
    good_practice: StrictStr = ""
    further_needs: StrictStr = ""
    indicators: list[IndicatorIn] = []
    recommendations: list[RecommendationIn] = []


class ReviewIn(Strict):
    outcome: StrictStr
    note: StrictStr = ""


def report_json(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "grant_id": report.grant_id,
        "kind": report.kind_enum.value,
        "due_date": report.due_date.isoformat(),
        "status": report.status_enum.value,
        "overdue": report.is_overdue,
        "narrative": report.achievements,
        "challenges": report.challenges,
        "good_practice": report.good_practice,
        "further_needs": report.further_needs,
        "indicators": [
            {
                "id": row.indicator_id,
                "name": row.indicator.name,
                "baseline": row.indicator.baseline,
                "target": row.indicator.target,
                "actual": row.actual,
                "comment": row.comment,
            }
            for row in report.indicators
        ],
        "recommendations": [
            {
                "id": row.recommendation_id,
                "reference": row.recommendation.reference,
                "status": row.status_enum.value,
                "evidence": row.evidence,
            }
            for row in report.recommendations
        ],
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "review_note": report.review_note or None,
    }


def grant_reports(grant: Grant, *, session: Session, user: User | None) -> dict[str, Any]:
    rows = services.for_grant(session, grant.id)
    if not rows:  # not accepted yet: the schedule the agreement announces
        return {}
    return {
        "reports": [
            {
                "id": r.id,
                "kind": r.kind_enum.value,
                "due_date": r.due_date.isoformat(),
                "status": r.status_enum.value,
            }
            for r in rows
        ]
    }


@bp.get("/reports/<int:report_id>")
@api_endpoint(
    summary="A report", roles=[Role.APPLICANT, Role.SECRETARIAT, Role.AUDITOR], tags=["reports"]
)
def get_report(report_id: int) -> Response:
    return jsonify(report_json(services.get_for(db.session(), current_api_user(), report_id)))


@bp.post("/reports/<int:report_id>/submit")
@api_endpoint(
    summary="The State submits its report (progress on each indicator, status of each"
    " recommendation)",
    roles=[Role.APPLICANT],
    body=SubmitIn,
    tags=["reports"],
)
def submit(report_id: int, body: SubmitIn) -> Response:
    session = db.session()
    user = current_api_user()
    report = services.get_for(session, user, report_id, lock=True)
    content = services.ReportContent(
        achievements=body.narrative,
        challenges=body.challenges,
        good_practice=body.good_practice,
        further_needs=body.further_needs,
        indicators={i.id: (str(i.actual), i.comment) for i in body.indicators},
        recommendations={r.id: (r.status, r.evidence) for r in body.recommendations},
    )
    services.submit(session, user, report, content)
    return jsonify(status=report.status_enum.value)


@bp.post("/reports/<int:report_id>/review")
@api_endpoint(
    summary="The secretariat accepts the report or asks for a revision",
    roles=[Role.SECRETARIAT],
    body=ReviewIn,
    tags=["reports"],
)
def review(report_id: int, body: ReviewIn) -> Response:
    session = db.session()
    user = current_api_user()
    report = services.get_for(session, user, report_id, lock=True)
    grants.get_grant_for(session, user, report.grant_id, lock=True)
    services.review(session, user, report, body.outcome, body.note)
    return jsonify(status=report.status_enum.value)
