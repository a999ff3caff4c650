"""Roster pages: the expert's own profile; the secretariat's roster, vetting and matching."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.auth.current import actor
from app.auth.models import User
from app.core import uploads
from app.core.errors import DomainError, NotFound
from app.core.forms import choices
from app.core.pagination import Page, page_arg
from app.core.permissions import roles_required
from app.core.roles import Region, Role
from app.core.unit_of_work import flash_after_commit, keep_changes
from app.core.web import refusals, show_error
from app.extensions import db
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus
from app.reference import services as reference
from app.roster import deployments, matching, profiles
from app.roster.forms import (
    CvForm,
    ExpertiseForm,
    LanguageForm,
    NoteForm,
    PeriodForm,
    ProfileForm,
    VetForm,
)
from app.roster.models import Expert, ExpertStatus
from app.roster.workflow import EXPERT_WORKFLOW

bp = Blueprint("experts", __name__)
ROSTER_READERS = (Role.SECRETARIAT, Role.AUDITOR)


# -- the expert's own profile --------------------------------------------------------------------


def _profile_forms(expert: Expert, **given: Any) -> dict[str, Any]:
    session = db.session()
    profile = given.get("profile_form") or ProfileForm(
        data={
            "nationality": expert.user.state_iso3 or "",
            "current_position": expert.current_position,
            "summary": expert.summary,
            "years_experience": ""
            if expert.years_experience is None
            else str(expert.years_experience),
            "daily_rate": "" if expert.daily_rate is None else str(expert.daily_rate.to_decimal()),
            "currency": expert.rate_currency,
            "references": expert.references,
        }
    )
    profile.nationality.choices = choices(
        [("", "—"), *((s.iso3, s.name) for s in reference.states(session))]
    )
    expertise = given.get("expertise_form") or ExpertiseForm(
        data={"themes": expert.theme_codes, "mechanisms": [m.code for m in expert.mechanisms]}
    )
    expertise.themes.choices = choices((t.code, t.name) for t in reference.themes(session))
    expertise.mechanisms.choices = choices((m.code, m.name) for m in reference.mechanisms(session))
    language = given.get("language_form") or LanguageForm()
    language.code.choices = choices([("", "—"), *reference.languages().items()])
    return {
        "profile_form": profile,
        "expertise_form": expertise,
        "language_form": language,
        "period_form": given.get("period_form") or PeriodForm(),
        "cv_form": given.get("cv_form") or CvForm(),
    }


def _render_profile(expert: Expert, **given: Any) -> str:
    return render_template(
        "roster/profile.html",
        expert=expert,
        languages=reference.languages(),
        **_profile_forms(expert, **given),
    )


def _own() -> Expert:
    return profiles.own_profile(db.session(), actor())


def _show_on(field: Any) -> Callable[[Any, DomainError], None]:
    """Show a refusal on the field it names, or else on `field` (never only flashed)."""

    def show(form: Any, error: DomainError) -> None:
        show_error(form, error)
        if not form.errors:
            field.errors = [error.message]

    return show


def _saved(message: str) -> Response:
    flash_after_commit(message)
    return redirect(url_for("experts.profile"))


@bp.route("/experts/me", methods=["GET", "POST"])
@roles_required(Role.EXPERT)
def profile() -> Response | str:
    expert = _own()
    if request.method == "GET":
        keep_changes()  # the profile may have just been started
        return _render_profile(expert)
    form = ProfileForm()
    _profile_forms(expert, profile_form=form)  # fills the nationality choices
    if form.validate_on_submit():
        with refusals(form):
            profiles.update_profile(
                db.session(),
                actor(),
                expert,
                profiles.ProfileChanges(
                    nationality=form.nationality.data,
                    current_position=form.current_position.data or "",
                    summary=form.summary.data or "",
                    references=form.references.data or "",
                    years_experience=form.years_experience.data,
                    daily_rate=form.daily_rate.data,
                    currency=form.currency.data,
                ),
            )
            return _saved(_("Your profile is saved."))
    return _render_profile(_own(), profile_form=form)


@bp.route("/experts/me/expertise", methods=["POST"])
@roles_required(Role.EXPERT)
def expertise() -> Response | str:
    expert = _own()
    form = ExpertiseForm()
    _profile_forms(expert, expertise_form=form)
    if form.validate_on_submit():
        with refusals(form):
            profiles.update_profile(
                db.session(),
                actor(),
                expert,
                profiles.ProfileChanges(
                    themes=form.themes.data or [], mechanisms=form.mechanisms.data or []
                ),
            )
            return _saved(_("Your expertise is saved."))
    return _render_profile(_own(), expertise_form=form)


@bp.route("/experts/me/languages", methods=["POST"])
@roles_required(Role.EXPERT)
def add_language() -> Response | str:
    expert = _own()
    form = LanguageForm()
    _profile_forms(expert, language_form=form)
    if form.validate_on_submit():
        with refusals(form):
            profiles.set_language(
                db.session(), actor(), expert, form.code.data or "", form.level.data or ""
            )
            return _saved(_("Language saved."))
    return _render_profile(_own(), language_form=form)


@bp.route("/experts/me/languages/<code>/delete", methods=["POST"])
@roles_required(Role.EXPERT)
def remove_language(code: str) -> Response:
    return _simple(lambda expert: profiles.remove_language(db.session(), actor(), expert, code))


@bp.route("/experts/me/availability", methods=["POST"])
@roles_required(Role.EXPERT)
def add_period() -> Response | str:
    expert = _own()
    form = PeriodForm()
    if form.validate_on_submit():
        with refusals(form, show=_show_on(form.end)):
            profiles.add_period(db.session(), actor(), expert, form.start.data, form.end.data)
            return _saved(_("Availability saved."))
    return _render_profile(_own(), period_form=form)


@bp.route("/experts/me/availability/<int:period_id>/delete", methods=["POST"])
@roles_required(Role.EXPERT)
def remove_period(period_id: int) -> Response:
    return _simple(lambda expert: profiles.remove_period(db.session(), actor(), expert, period_id))


def _simple(change: Any) -> Response:
    expert = _own()
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals():
        change(expert)
        return _saved(_("Saved."))
    return redirect(url_for("experts.profile"))


@bp.route("/experts/me/cv", methods=["POST"])
@roles_required(Role.EXPERT)
def upload_cv() -> Response | str:
    expert = _own()
    form = CvForm()
    if form.validate_on_submit():
        with refusals(form, show=lambda _form, error: setattr(form.cv, "errors", [error.message])):
            profiles.attach_cv(db.session(), actor(), expert, form.cv.data)
            return _saved(_("Your CV is uploaded."))
    return _render_profile(_own(), cv_form=form)


@bp.route("/experts/<int:expert_id>/cv")
@roles_required(Role.EXPERT, *ROSTER_READERS)
def cv(expert_id: int) -> Response:
    expert = profiles.get_expert_for(db.session(), actor(), expert_id)
    if expert.cv is None:
        raise NotFound(_("no CV uploaded"))
    return send_file(
        uploads.path_of(expert.cv),
        mimetype=expert.cv.content_type,
        as_attachment=True,
        download_name=expert.cv.original_name,
    )


# -- the secretariat's roster ----------------------------------------------------------------------


def _criteria_from_args(args: Any) -> matching.Criteria:
    theme = (args.get("theme") or "").strip()
    language = (args.get("language") or "").strip().lower()
    region = args.get("region") if args.get("region") in {r.value for r in Region} else None
    return matching.Criteria(
        themes=[theme] if theme else [],
        languages=[language] if language else [],
        region=region,
        available_from=_date_arg(args.get("from")),
        available_to=_date_arg(args.get("to")),
        name=(args.get("q") or "").strip()[:100] or None,
    )


def _date_arg(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/roster")
@roles_required(*ROSTER_READERS)
def roster() -> str:
    session = db.session()
    status_arg = request.args.get("status") or ExpertStatus.ACTIVE.value
    status = ExpertStatus(status_arg) if status_arg in set(ExpertStatus) else ExpertStatus.ACTIVE
    page_number = page_arg(request.args.get("page"))
    criteria = _criteria_from_args(request.args)
    page: Page[Any] = (
        matching.search(session, criteria, page=page_number)
        if status is ExpertStatus.ACTIVE
        else profiles.list_experts(session, status, page=page_number)
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "roster/list.html",
        status=status,
        statuses=[
            ExpertStatus.ACTIVE,
            ExpertStatus.APPLIED,
            ExpertStatus.REJECTED,
            ExpertStatus.INACTIVE,
        ],
        page=page,
        args=args,
        criteria=criteria,
        themes=reference.themes(session),
        languages=reference.languages(),
        regions=list(Region),
        queue=profiles.vetting_queue_size(session),
    )


def _render_expert(expert: Expert, **forms: Any) -> str:
    user = actor()
    return render_template(
        "roster/expert.html",
        expert=expert,
        languages=reference.languages(),
        actions=EXPERT_WORKFLOW.available(expert, user),
        history=deployments.list_for(db.session(), user, expert_id=expert.id, per_page=50).items,
        vet_form=forms.get("vet_form") or VetForm(),
        note_form=forms.get("note_form") or NoteForm(),
    )


@bp.route("/roster/<int:expert_id>")
@roles_required(*ROSTER_READERS)
def expert(expert_id: int) -> str:
    return _render_expert(profiles.get_expert_for(db.session(), actor(), expert_id))


@bp.route("/roster/<int:expert_id>/vet", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def vet(expert_id: int) -> Response | str:
    expert = profiles.get_expert_for(db.session(), actor(), expert_id, lock=True)
    form = VetForm()
    if form.validate_on_submit():
        with refusals(form, show=_show_on(form.outcome)):
            profiles.vet(
                db.session(), actor(), expert, form.outcome.data or "", form.note.data or ""
            )
            flash_after_commit(
                _(
                    "%(name)s is now: %(status)s.",
                    name=expert.name,
                    status=expert.status_enum.label,
                )
            )
            return redirect(url_for("experts.expert", expert_id=expert_id))
    return _render_expert(profiles.get_expert_for(db.session(), actor(), expert_id), vet_form=form)


@bp.route("/roster/<int:expert_id>/<any(deactivate, reactivate):action>", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def set_active(expert_id: int, action: str) -> Response | str:
    expert = profiles.get_expert_for(db.session(), actor(), expert_id, lock=True)
    form = NoteForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals(form):
        profiles.set_active(
            db.session(), actor(), expert, action == "reactivate", form.note.data or ""
        )
        flash_after_commit(
            _("%(name)s is now: %(status)s.", name=expert.name, status=expert.status_enum.label)
        )
        return redirect(url_for("experts.expert", expert_id=expert_id))
    return _render_expert(profiles.get_expert_for(db.session(), actor(), expert_id), note_form=form)


@bp.route("/grants/<int:grant_id>/experts")
@roles_required(Role.SECRETARIAT)
def match(grant_id: int) -> str:
    """The roster searched for one grant: what the State asked for, in the window given."""
    session = db.session()
    grant = grants.get_grant_for(session, actor(), grant_id)
    start, end = matching.mission_window(
        grant, _date_arg(request.args.get("from")), _date_arg(request.args.get("to"))
    )
    criteria = matching.criteria_for_grant(grant, start, end)
    page = matching.search(session, criteria, page=page_arg(request.args.get("page")))
    return render_template(
        "roster/match.html",
        grant=grant,
        criteria=criteria,
        start=start,
        end=end,
        page=page,
        languages=reference.languages(),
        budget_free=deployments.expert_budget_free(session, grant),
    )


def grant_section(
    grant: Grant, *, session: Session, user: User
) -> tuple[str, dict[str, Any]] | None:
    """The experts part of a grant's page: its missions, and the way to find more."""
    role = user.role_enum
    if role not in (Role.SECRETARIAT, Role.AUDITOR, Role.APPLICANT):
        return None
    missions = deployments.for_grant(session, grant)
    if not missions and not grant.expert_budget_minor and role is Role.APPLICANT:
        return None
    staff = role in (Role.SECRETARIAT, Role.AUDITOR)
    return "roster/_grant_section.html", {
        "grant": grant,
        "missions": missions,
        "show_budget": staff,
        "free": deployments.expert_budget_free(session, grant) if staff else 0,
        "can_match": role is Role.SECRETARIAT and grant.status_enum is GrantStatus.ACTIVE,
    }
