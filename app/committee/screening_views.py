"""The secretariat's screening queue and screening page: an eligible request opens the
committee's ballot."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.applications import checks, services
from app.applications.forms import ScreeningForm
from app.applications.models import ApplicationStatus
from app.auth.current import actor
from app.committee import ballots, screening
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals
from app.extensions import db

bp = Blueprint("screening", __name__)


@bp.route("/screening")
@roles_required(Role.SECRETARIAT)
def queue() -> str:
    page = screening.queue(db.session(), actor(), page=page_arg(request.args.get("page")))
    return render_template("applications/screening_queue.html", page=page)


@bp.route("/applications/<int:application_id>/screen", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT)
def screen(application_id: int) -> Response | str:
    application = services.get_application_for(
        db.session(), actor(), application_id, lock=request.method == "POST"
    )
    form = ScreeningForm()
    if application.status_enum is not ApplicationStatus.SUBMITTED:
        flash(_("This application is not waiting for screening."), "info")
        return redirect(url_for("applications.detail", application_id=application.id))
    if form.validate_on_submit():
        deadline = (
            datetime.combine(form.deadline.data, time(23, 59), tzinfo=UTC)
            if form.deadline.data
            else None
        )
        with refusals(form):
            screening.screen(
                db.session(),
                actor(),
                application,
                form.outcome.data or "",
                note=form.note.data or "",
                referral=form.referral.data or "",
                deadline=deadline,
            )
            flash_after_commit(
                _("Screening recorded: %(status)s.", status=application.status_enum.label)
            )
            return redirect(url_for("applications.detail", application_id=application.id))
    return render_template(
        "applications/screen.html",
        application=application,
        form=form,
        criteria=checks.eligibility(application),
        default_deadline=ballots.default_deadline(db.session()),
    )
