"""Public pages: nothing here needs an account, and nothing here is personal or unpublished.

Stories appear only once published (the State consented); projects only once published as
open data defines it (`app.opendata.services.published_grants_query`); the annual report
reads only published or approved data (`annual.py`), so anyone may download it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.core import uploads
from app.core.errors import NotFound
from app.core.pagination import page_arg, paginate
from app.core.roles import Region
from app.extensions import db, limiter
from app.opendata import services as opendata
from app.reports import stories
from app.transparency import annual, documents, projects

bp = Blueprint("transparency", __name__)

# Rendering a PDF takes a moment of a server's time: plenty for readers, not for floods.
PDF_LIMIT = "20 per minute"


@bp.route("/stories")
def stories_index() -> str:
    page = paginate(
        db.session(),
        stories.published_query(),
        page=page_arg(request.args.get("page")),
        per_page=12,
    )
    return render_template("transparency/stories.html", page=page)


@bp.route("/stories/<int:story_id>")
def story(story_id: int) -> str:
    return render_template(
        "transparency/story.html", story=stories.public_story(db.session(), story_id)
    )


@bp.route("/stories/<int:story_id>/photo")
def story_photo(story_id: int) -> Response:
    found = stories.public_story(db.session(), story_id)
    if found.photo is None:
        raise NotFound(_("no photo"))
    response = send_file(uploads.path_of(found.photo), mimetype=found.photo.content_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/projects")
def projects_index() -> str:
    session = db.session()
    totals = projects.totals(session)
    f = projects.filter_from_args(request.args, totals.theme_codes)
    page, paid = projects.list_projects(session, f, page=page_arg(request.args.get("page")))
    return render_template(
        "transparency/projects.html",
        page=page,
        paid=paid,
        totals=totals,
        f=f,
        regions=[r for r in Region if r.value in {t.key for t in totals.by_region}],
    )


@bp.route("/projects/<reference>")
def project(reference: str) -> str:
    found = projects.public_project(db.session(), reference)
    fund = opendata.fund_from_config(current_app.config)
    return render_template(
        "transparency/project.html",
        project=found,
        iati_id=opendata.iati_identifier(fund, found.grant.reference),
        threesixty_id=opendata.threesixty_grant_id(found.grant.reference),
    )


@bp.route("/annual-report")
def annual_report() -> tuple[str, int]:
    session = db.session()
    years = annual.years(session)
    raw = request.args.get("year")
    error, report = None, None
    try:
        year = annual.check_year(session, raw) if raw is not None else annual.default_year(years)
    except annual.YearOutOfRange as problem:
        error = str(problem)
    else:
        report = annual.build(session, year)
    return render_template(
        "transparency/annual_report.html", years=years, report=report, error=error
    ), (400 if error else 200)


@bp.route("/annual-report/<int:year>.pdf")
@limiter.limit(PDF_LIMIT)
def annual_report_pdf(year: int) -> Response:
    session = db.session()
    try:
        annual.check_year(session, str(year))
    except annual.YearOutOfRange as problem:
        raise NotFound(str(problem)) from None
    pdf = documents.annual_report_pdf(annual.build(session, year))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="sptf-annual-report-{year}.pdf"'
    return response
