"""The expert's own profile pages (it keeps its profile; the secretariat vets it on the
roster's pages), and its CV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth.current import actor
from app.core import uploads
from app.core.errors import NotFound
from app.core.forms import choices
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit, keep_changes
from app.core.web import refusals, show_on
from app.experts import profiles
from app.experts.forms import CvForm, ExpertiseForm, LanguageForm, NoteForm, PeriodForm, ProfileForm
from app.experts.models import Expert
from app.extensions import db
from app.reference import services as reference

bp = Blueprint("experts", __name__)


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
        with refusals(form, show=show_on(form.end)):
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
@roles_required(Role.EXPERT, *profiles.ROSTER_READERS)
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
