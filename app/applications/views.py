"""Application pages: the list, creating a draft, the application page and its actions,
attachments, what changed between versions, and the decision letter."""

from __future__ import annotations

import json

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import signals
from app.applications import checks, services
from app.applications.forms import NewApplicationForm, WithdrawForm
from app.applications.letters import decision_letter_response, has_decision_letter
from app.applications.models import ApplicationStatus
from app.applications.specs import ApplicationSpec, OverviewSpec
from app.applications.versions import changes, snapshot
from app.applications.workflow import APPLICATION_WORKFLOW
from app.auth.current import actor
from app.core import uploads
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import int_arg, refusals
from app.extensions import db
from app.reference import services as reference

bp = Blueprint("applications", __name__)

READERS = (Role.APPLICANT, Role.SECRETARIAT, Role.COMMITTEE, Role.AUDITOR)


@bp.route("/applications")
@roles_required(*READERS)
def index() -> str:
    status = request.args.get("status") or None
    sort = request.args.get("sort") or "newest"
    page = services.list_for(
        db.session(), actor(), status=status, sort=sort, page=page_arg(request.args.get("page"))
    )
    return render_template(
        "applications/list.html",
        page=page,
        status=status or "",
        sort=sort,
        statuses=list(ApplicationStatus),
        sorts=list(services.SORTS),
    )


@bp.route("/applications/new", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def new() -> Response | str:
    form = NewApplicationForm()
    if form.validate_on_submit():
        with refusals(form):
            application = services.create_application(
                db.session(),
                actor(),
                ApplicationSpec(overview=OverviewSpec(title=form.title.data or "")),
            )
            flash_after_commit(
                _(
                    "Draft %(reference)s is created. Fill in each section and save it as you go.",
                    reference=application.reference,
                )
            )
            return redirect(
                url_for(
                    "application_editor.edit", application_id=application.id, section="overview"
                )
            )
    return render_template("applications/new.html", form=form)


@bp.route("/applications/<int:application_id>")
@roles_required(*READERS)
def detail(application_id: int) -> str:
    user = actor()
    application = services.get_application_for(db.session(), user, application_id)
    # The committee's ballots on it, to link to (signals.application_ballots).
    ballot_list = (
        [
            ballot
            for _receiver, found in signals.application_ballots.send(
                application, session=db.session()
            )
            for ballot in found
        ]
        if user.role_enum is not Role.APPLICANT
        else []
    )
    return render_template(
        "applications/detail.html",
        application=application,
        sections=checks.sections(application),
        progress=checks.progress(application),
        actions=APPLICATION_WORKFLOW.available(application, user),
        versions=services.versions_of(db.session(), application),
        ballots=ballot_list,
        withdraw_form=WithdrawForm(),
        has_letter=has_decision_letter(application),
    )


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@roles_required(Role.APPLICANT)
def submit(application_id: int) -> Response:
    application = services.get_application_for(db.session(), actor(), application_id, lock=True)
    with refusals():
        services.submit(db.session(), actor(), application)
        flash_after_commit(_("Submitted. The secretariat will screen it and tell you the outcome."))
    return redirect(url_for("applications.detail", application_id=application_id))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles_required(Role.APPLICANT)
def withdraw(application_id: int) -> Response:
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    application = services.get_application_for(db.session(), actor(), application_id, lock=True)
    with refusals():
        services.withdraw(db.session(), actor(), application, form.reason.data or "")
        flash_after_commit(_("The application is withdrawn."), "info")
    return redirect(url_for("applications.detail", application_id=application_id))


@bp.route("/applications/<int:application_id>/attachments/<int:file_id>")
@roles_required(*READERS)
def attachment(application_id: int, file_id: int) -> Response:
    stored = services.get_attachment_for(db.session(), actor(), application_id, file_id)
    return send_file(
        uploads.path_of(stored),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        max_age=0,
    )


@bp.route("/applications/<int:application_id>/changes")
@roles_required(*READERS)
def changes_view(application_id: int) -> str:
    application = services.get_application_for(db.session(), actor(), application_id)
    versions = services.versions_of(db.session(), application)
    numbers = [v.number for v in versions]
    # By default: the newest version against the one before, or against the draft being
    # edited after a return.
    default_to = (
        "current" if application.is_editable and numbers else str(numbers[-1] if numbers else 0)
    )
    to_arg = request.args.get("to", default_to)
    to_current = to_arg == "current"
    to_number = (
        numbers[-1] if to_current and numbers else int_arg(to_arg, numbers[-1] if numbers else 0)
    )
    from_number = int_arg(request.args.get("from"), to_number if to_current else to_number - 1)
    by_number = {v.number: json.loads(v.snapshot) for v in versions}
    after = snapshot(application) if to_current else by_number.get(to_number)
    before = by_number.get(from_number)
    theme_names = {t.code: t.name for t in reference.themes(db.session())}
    diff = changes(before, after, theme_names) if before is not None and after is not None else None
    return render_template(
        "applications/changes.html",
        application=application,
        versions=versions,
        diff=diff,
        from_number=from_number,
        to_number=to_number,
        to_current=to_current,
    )


@bp.route("/applications/<int:application_id>/decision.pdf")
@roles_required(*READERS)
def decision_letter(application_id: int) -> Response:
    application = services.get_application_for(db.session(), actor(), application_id)
    return decision_letter_response(application)
