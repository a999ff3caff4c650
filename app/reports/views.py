"""Report pages: the State writes and submits; the secretariat reviews, reschedules and adds
reports, and drafts success stories that the State consents to."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.auth.current import actor
from app.auth.models import User
from app.core import uploads
from app.core.errors import NotFound
from app.core.forms import choices
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals, submit_form
from app.extensions import db
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus
from app.recommendations.models import ImplementationStatus
from app.reports import further_needs, services, stories
from app.reports.forms import (
    DueDateForm,
    ReasonForm,
    ReportForm,
    ReviewForm,
    StoryConsentForm,
    StoryForm,
)
from app.reports.models import Report, ReportStatus, Story
from app.reports.workflow import REPORT_WORKFLOW, STORY_WORKFLOW

bp = Blueprint("reports", __name__)
READERS = (Role.SECRETARIAT, Role.AUDITOR, Role.APPLICANT)


@bp.route("/reports")
@roles_required(*READERS)
def index() -> str:
    status = request.args.get("status") or None
    overdue = request.args.get("overdue") == "1"
    page = services.list_for(
        db.session(),
        actor(),
        status=status,
        overdue=overdue,
        page=page_arg(request.args.get("page")),
    )
    return render_template(
        "reports/list.html",
        page=page,
        status=status or "",
        overdue=overdue,
        statuses=list(ReportStatus),
        overdue_count=services.overdue_count(db.session())
        if actor().role_enum is not Role.APPLICANT
        else None,
    )


def _content_from(form: MultiDict[str, str], report: Report) -> services.ReportContent:
    application = report.grant.application
    return services.ReportContent(
        achievements=form.get("achievements", ""),
        challenges=form.get("challenges", ""),
        good_practice=form.get("good_practice", ""),
        further_needs=form.get("further_needs", ""),
        indicators={
            i.id: (form.get(f"actual-{i.id}", ""), form.get(f"comment-{i.id}", ""))
            for i in application.indicators
        },
        recommendations={
            r.id: (form.get(f"status-{r.id}", ""), form.get(f"evidence-{r.id}", ""))
            for r in application.recommendations
            if form.get(f"status-{r.id}")
        },
    )


def _render(report_id: int, **given: Any) -> str:
    user = actor()
    session = db.session()
    report = services.get_for(session, user, report_id)
    form = given.get("form") or ReportForm(
        formdata=None,
        data={
            "achievements": report.achievements,
            "challenges": report.challenges,
            "good_practice": report.good_practice,
            "further_needs": report.further_needs,
        },
    )
    values = given.get("values") or {}
    return render_template(
        "reports/detail.html",
        report=report,
        form=form,
        values=values,
        errors=given.get("errors") or {},
        actions=REPORT_WORKFLOW.available(report, user),
        editable=user.role_enum is Role.APPLICANT and report.is_owed,
        progress={row.indicator_id: row for row in report.indicators},
        statuses={row.recommendation_id: row for row in report.recommendations},
        implementation=list(ImplementationStatus),
        missing=services.missing_parts(report),
        review_form=given.get("review_form") or ReviewForm(),
        due_form=given.get("due_form")
        or DueDateForm(formdata=None, data={"due_date": report.due_date}),
        stories=[s for s in stories.list_for(session, user).items if s.report_id == report.id]
        if user.role_enum is not Role.APPLICANT
        else [],
    )


@bp.route("/reports/<int:report_id>")
@roles_required(*READERS)
def detail(report_id: int) -> str:
    return _render(report_id)


@bp.route("/reports/<int:report_id>", methods=["POST"])
@roles_required(Role.APPLICANT)
def write(report_id: int) -> Response | str:
    """Save the draft, or submit it (the button pressed decides)."""
    session = db.session()
    report = services.get_for(session, actor(), report_id, lock=True)
    form = ReportForm()
    values = request.form
    if not form.validate_on_submit():
        return _render(report_id, form=form, values=values)
    content = _content_from(request.form, report)
    files = request.files.getlist(form.files.name)
    submitting = request.form.get("action") == "submit"
    with refusals(form) as refused:  # on the field it names, or flashed once
        if submitting:
            services.submit(session, actor(), report, content, files)
        else:
            services.save_draft(session, actor(), report, content, files)
        flash_after_commit(
            _("Your report is sent to the secretariat.")
            if submitting
            else _("Your draft is saved.")
        )
        return redirect(url_for("reports.detail", report_id=report_id))
    errors = dict.fromkeys(refused.error.fields, refused.error.message) if refused.error else {}
    return _render(report_id, form=form, values=values, errors=errors)


@bp.route("/reports/<int:report_id>/review", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def review(report_id: int) -> Response | str:
    session = db.session()
    report = services.get_for(session, actor(), report_id, lock=True)
    form = ReviewForm()
    if form.validate_on_submit():
        grants.get_grant_for(session, actor(), report.grant_id, lock=True)
        with refusals(form):
            services.review(session, actor(), report, form.outcome.data or "", form.note.data or "")
            flash_after_commit(_("The report is now: %(status)s.", status=report.status_enum.label))
            return redirect(url_for("reports.detail", report_id=report_id))
    return _render(report_id, review_form=form)


@bp.route("/reports/<int:report_id>/due-date", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def reschedule(report_id: int) -> Response | str:
    session = db.session()
    report = services.get_for(session, actor(), report_id, lock=True)
    form = DueDateForm()
    if form.validate_on_submit():
        with refusals(form):
            services.reschedule(session, actor(), report, form.due_date.data)
            flash_after_commit(_("The due date is changed."))
            return redirect(url_for("reports.detail", report_id=report_id))
    return _render(report_id, due_form=form)


@bp.route("/grants/<int:grant_id>/reports", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def add(grant_id: int) -> Response:
    session = db.session()
    grant = grants.get_grant_for(session, actor(), grant_id, lock=True)
    form = DueDateForm()
    if not form.validate_on_submit():
        flash(_("Give the new report's due date."), "error")
        return redirect(url_for("grants.detail", grant_id=grant_id))
    with refusals():
        report = services.add_report(session, actor(), grant, form.due_date.data)
        flash_after_commit(_("A progress report is asked of the State."))
        return redirect(url_for("reports.detail", report_id=report.id))
    return redirect(url_for("grants.detail", grant_id=grant_id))


@bp.route("/reports/<int:report_id>/follow-up", methods=["POST"])
@roles_required(Role.APPLICANT)
def follow_up(report_id: int) -> Response:
    session = db.session()
    report = services.get_for(session, actor(), report_id, lock=True)
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("reports.detail", report_id=report_id))
    drafted_before = report.follow_up is not None
    with refusals():
        application = further_needs.follow_up_application(session, actor(), report)
        if drafted_before:
            flash_after_commit(
                _("The request built on this report is already drafted: here it is."), "info"
            )
        else:
            flash_after_commit(
                _("A new request is drafted from the further needs. Complete it and submit it.")
            )
        if not application.is_editable:
            return redirect(url_for("applications.detail", application_id=application.id))
        return redirect(
            url_for("application_editor.edit", application_id=application.id, section="overview")
        )
    return redirect(url_for("reports.detail", report_id=report_id))


@bp.route("/reports/<int:report_id>/files/<int:file_id>")
@roles_required(*READERS)
def attachment(report_id: int, file_id: int) -> Response:
    report = services.get_for(db.session(), actor(), report_id)
    stored = next((f for f in report.files if f.id == file_id), None)
    if stored is None:
        raise NotFound(_("no such file"))
    return send_file(
        uploads.path_of(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
    )


# -- success stories (the fund's side and the State's consent) ------------------------------------------


def _story_form(
    report: Report, form: StoryForm | None = None, story: Story | None = None
) -> StoryForm:
    if form is None:
        form = (
            StoryForm(
                formdata=None,
                data={
                    "title": story.title,
                    "text": story.text,
                    "recommendations": [str(r.id) for r in story.recommendations],
                    "photo_alt": story.photo_alt,
                    "photo_credit": story.photo_credit,
                },
            )
            if story is not None
            else StoryForm(formdata=None)
        )
    form.recommendations.choices = choices(
        (r.id, f"{r.reference} — {r.text[:80]}") for r in report.grant.application.recommendations
    )
    return form


def _draft_from(form: StoryForm) -> stories.StoryDraft:
    return stories.StoryDraft(
        title=form.title.data or "",
        text=form.text.data or "",
        recommendation_ids=[int(x) for x in form.recommendations.data or []],
        photo_credit=form.photo_credit.data or "",
        photo_alt=form.photo_alt.data or "",
    )


@bp.route("/reports/<int:report_id>/stories/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def new_story(report_id: int) -> Response | str:
    session = db.session()
    report = services.get_for(session, actor(), report_id)
    form = _story_form(report, StoryForm() if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        with refusals(form):
            story = stories.create(session, actor(), report, _draft_from(form), form.photo.data)
            flash_after_commit(
                _("The story is drafted. Ask the State for its consent when it is ready.")
            )
            return redirect(url_for("reports.story", story_id=story.id))
    return render_template("reports/story_form.html", report=report, form=form, story=None)


@bp.route("/stories/<int:story_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def edit_story(story_id: int) -> Response | str:
    session = db.session()
    story = stories.get_for(session, actor(), story_id, lock=request.method == "POST")
    form = _story_form(story.report, StoryForm() if request.method == "POST" else None, story)
    if request.method == "POST" and form.validate_on_submit():
        with refusals(form):
            stories.update(session, actor(), story, _draft_from(form), form.photo.data)
            flash_after_commit(_("The story is saved."))
            return redirect(url_for("reports.story", story_id=story_id))
    return render_template("reports/story_form.html", report=story.report, form=form, story=story)


def _render_story(story_id: int, **forms: Any) -> str:
    user = actor()
    story = stories.get_for(db.session(), user, story_id)
    return render_template(
        "reports/story.html",
        story=story,
        actions=STORY_WORKFLOW.available(story, user),
        consent_form=forms.get("consent_form") or StoryConsentForm(),
        decline_form=forms.get("decline_form") or ReasonForm(prefix="decline"),
        withdraw_form=forms.get("withdraw_form") or ReasonForm(prefix="withdraw"),
    )


@bp.route("/stories/<int:story_id>/manage/photo")
@roles_required(*READERS)
def story_photo(story_id: int) -> Response:
    found = stories.get_for(db.session(), actor(), story_id)
    if found.photo is None:
        raise NotFound(_("no photo"))
    return send_file(uploads.path_of(found.photo), mimetype=found.photo.content_type)


@bp.route("/stories/manage")
@roles_required(*READERS)
def stories_index() -> str:
    page = stories.list_for(db.session(), actor(), page=page_arg(request.args.get("page")))
    return render_template("reports/stories.html", page=page)


@bp.route("/stories/<int:story_id>/manage")
@roles_required(*READERS)
def story(story_id: int) -> str:
    return _render_story(story_id)


def _story_act(
    story_id: int, form: Any, form_name: str, change: Any, message: str
) -> Response | str:
    story = stories.get_for(db.session(), actor(), story_id, lock=True)
    return submit_form(
        form,
        lambda: change(story),
        done=message,
        then=url_for("reports.story", story_id=story_id),
        again=lambda f: _render_story(story_id, **{form_name: f}),
    )


@bp.route("/stories/<int:story_id>/request-consent", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def request_story_consent(story_id: int) -> Response | str:
    return _story_act(
        story_id,
        FlaskForm(),
        "request_form",
        lambda s: stories.request_consent(db.session(), actor(), s),
        _("The State is asked to consent to the story."),
    )


@bp.route("/stories/<int:story_id>/consent", methods=["POST"])
@roles_required(Role.APPLICANT)
def consent_story(story_id: int) -> Response | str:
    form = StoryConsentForm()
    return _story_act(
        story_id,
        form,
        "consent_form",
        lambda s: stories.consent(
            db.session(), actor(), s, name=form.name.data or "", title=form.title.data or ""
        ),
        _("Thank you: the story is published."),
    )


@bp.route("/stories/<int:story_id>/decline", methods=["POST"])
@roles_required(Role.APPLICANT)
def decline_story(story_id: int) -> Response | str:
    form = ReasonForm(prefix="decline")
    return _story_act(
        story_id,
        form,
        "decline_form",
        lambda s: stories.decline(db.session(), actor(), s, form.reason.data or ""),
        _("The story goes back to the secretariat with your comments."),
    )


@bp.route("/stories/<int:story_id>/withdraw", methods=["POST"])
@roles_required(Role.SECRETARIAT, Role.APPLICANT)
def withdraw_story(story_id: int) -> Response | str:
    form = ReasonForm(prefix="withdraw")
    return _story_act(
        story_id,
        form,
        "withdraw_form",
        lambda s: stories.withdraw(db.session(), actor(), s, form.reason.data or ""),
        _("The story is withdrawn and no longer public."),
    )


def grant_section(
    grant: Grant, *, session: Session, user: User
) -> tuple[str, dict[str, Any]] | None:
    """The reports part of a grant's page, once the State has accepted the agreement."""
    if user.role_enum not in READERS or grant.accepted_at is None:
        return None
    return "reports/_grant_section.html", {
        "grant": grant,
        "reports": services.for_grant(session, grant.id),
        "can_add": user.role_enum is Role.SECRETARIAT
        and grant.status_enum in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED),
        "due_form": DueDateForm(formdata=None),
    }
