"""The application form, section by section: each save is kept, so a ministry official can
fill it in over several sittings. Every section works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.applications import checks, services
from app.applications.forms import (
    UN_LANGUAGES,
    AttachmentForm,
    BudgetLineForm,
    CofinancingForm,
    ConsentForm,
    ExpertiseForm,
    IndicatorForm,
    OverviewForm,
    RecommendationForm,
)
from app.applications.models import Application, BudgetCategory
from app.applications.specs import (
    BudgetLineSpec,
    ConsentSpec,
    ExpertiseSpec,
    IndicatorSpec,
    OverviewSpec,
    RecommendationSpec,
)
from app.auth.current import actor
from app.core.errors import DomainError
from app.core.forms import choices
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import int_arg, refusals, show_error
from app.extensions import db
from app.reference import services as reference

bp = Blueprint("application_editor", __name__)

SECTIONS = (
    "overview",
    "recommendations",
    "results",
    "budget",
    "expertise",
    "consent",
    "attachments",
)


def _theme_choices() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in reference.themes(db.session())]


def _done(application: Application, section: str, message: str | None = None) -> Response:
    flash_after_commit(message or _("Saved."))
    return redirect(
        url_for("application_editor.edit", application_id=application.id, section=section)
    )


# -- single-form sections -----------------------------------------------------------------------


def _overview(application: Application) -> tuple[dict[str, Any], Response | None]:
    form = OverviewForm(
        data=None
        if request.method == "POST"
        else {
            "title": application.title,
            "summary": application.summary,
            "objectives": application.objectives,
            "activities": application.activities,
            "duration_months": application.duration_months,
            "implementing_entity": application.implementing_entity,
            "themes": [t.code for t in application.themes],
            "sdgs": [str(g.number) for g in application.sdgs],
        }
    )
    form.themes.choices = choices(_theme_choices())
    form.sdgs.choices = choices(
        (g.number, f"{g.number}. {g.name}") for g in reference.sdgs(db.session())
    )
    if form.validate_on_submit():
        spec = OverviewSpec(
            title=form.title.data or "",
            summary=form.summary.data or "",
            objectives=form.objectives.data or "",
            activities=form.activities.data or "",
            duration_months=form.duration_months.data,
            implementing_entity=form.implementing_entity.data or "",
            themes=list(form.themes.data or []),
            sdgs=[int(n) for n in form.sdgs.data or []],
        )
        with refusals(form):
            services.update_overview(db.session(), actor(), application, spec)
            return {}, _done(application, "overview")
    return {"form": form}, None


def _show_expertise_error(form: ExpertiseForm, error: DomainError) -> None:
    if "languages" in error.fields:  # a typed code, not a ticked box
        form.other_languages.errors = [*form.other_languages.errors, error.message]
    else:
        show_error(form, error)


def _expertise(application: Application) -> tuple[dict[str, Any], Response | None]:
    un_codes = {code for code, _label in UN_LANGUAGES}
    form = ExpertiseForm(
        data=None
        if request.method == "POST"
        else {
            "themes": [t.code for t in application.expertise_themes],
            "languages": [c for c in application.language_codes if c in un_codes],
            "other_languages": " ".join(c for c in application.language_codes if c not in un_codes),
            "person_days": application.expertise_person_days,
        }
    )
    form.themes.choices = choices(_theme_choices())
    form.languages.choices = choices(UN_LANGUAGES)
    if form.validate_on_submit():
        spec = ExpertiseSpec(
            themes=list(form.themes.data or []),
            languages=list(form.languages.data or [])
            + (form.other_languages.data or "").replace(",", " ").split(),
            person_days=form.person_days.data,
        )
        with refusals(form, show=_show_expertise_error):
            services.update_expertise(db.session(), actor(), application, spec)
            return {}, _done(application, "expertise")
    return {"form": form}, None


def _consent(application: Application) -> tuple[dict[str, Any], Response | None]:
    form = ConsentForm(
        data=None
        if request.method == "POST"
        else {
            "official_name": application.consent_official_name,
            "official_title": application.consent_official_title,
        }
    )
    if form.validate_on_submit():
        spec = ConsentSpec(
            official_name=form.official_name.data or "",
            official_title=form.official_title.data or "",
            given=bool(form.confirm.data),
        )
        with refusals(form):
            services.record_consent(db.session(), actor(), application, spec)
            return {}, _done(application, "consent", _("The government's consent is recorded."))
    return {"form": form}, None


def _show_file_error(form: AttachmentForm, error: DomainError) -> None:
    form.file.errors = [*form.file.errors, error.message]


def _attachments(application: Application) -> tuple[dict[str, Any], Response | None]:
    form = AttachmentForm()
    if request.method == "POST" and request.form.get("op") == "remove":
        if not FlaskForm().validate_on_submit():
            abort(400)
        with refusals():
            services.remove_attachment(
                db.session(), actor(), application, int_arg(request.form.get("row_id"))
            )
            return {}, _done(application, "attachments", _("The file is removed."))
        return {"form": form}, None
    if form.validate_on_submit():
        with refusals(form, show=_show_file_error):
            services.add_attachment(db.session(), actor(), application, form.file.data)
            return {}, _done(application, "attachments", _("The file is attached."))
    return {"form": form}, None


# -- sections made of rows (recommendations, indicators, budget lines) --------------------------------


@dataclass(frozen=True)
class RowSection:
    form: type[FlaskForm]
    rows: Callable[[Application], list[Any]]
    initial: Callable[[Any], dict[str, Any]]
    spec: Callable[[FlaskForm], Any]
    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[..., Any]
    choices: Callable[[FlaskForm], None] = lambda form: None


def _recommendation_choices(form: FlaskForm) -> None:
    form.mechanism.choices = choices(
        (m.code, f"{m.code} — {m.name}") for m in reference.mechanisms(db.session())
    )


def _budget_choices(form: FlaskForm) -> None:
    form.category.choices = choices((c.value, c.label) for c in BudgetCategory)


ROW_SECTIONS: dict[str, RowSection] = {
    "recommendations": RowSection(
        RecommendationForm,
        lambda a: a.recommendations,
        lambda r: {
            "mechanism": r.mechanism_code,
            "reference": r.reference,
            "text": r.text,
            "recommending_body": r.recommending_body,
            "cycle": r.cycle,
        },
        lambda f: RecommendationSpec(
            mechanism=f.mechanism.data or "",
            reference=f.reference.data or "",
            text=f.text.data or "",
            recommending_body=f.recommending_body.data or "",
            cycle=f.cycle.data or "",
        ),
        services.add_recommendation,
        services.update_recommendation,
        services.remove_recommendation,
        _recommendation_choices,
    ),
    "results": RowSection(
        IndicatorForm,
        lambda a: a.indicators,
        lambda i: {"result": i.result, "name": i.name, "baseline": i.baseline, "target": i.target},
        lambda f: IndicatorSpec(
            name=f.name.data or "",
            baseline=f.baseline.data or "",
            target=f.target.data or "",
            result=f.result.data or "",
        ),
        services.add_indicator,
        services.update_indicator,
        services.remove_indicator,
    ),
    "budget": RowSection(
        BudgetLineForm,
        lambda a: a.budget_lines,
        lambda b: {
            "category": b.category,
            "description": b.description,
            "amount": b.amount.as_string(),
        },
        lambda f: BudgetLineSpec(
            category=f.category.data or "",
            description=f.description.data or "",
            amount=f.amount.data or "",
        ),
        services.add_budget_line,
        services.update_budget_line,
        services.remove_budget_line,
        _budget_choices,
    ),
}


def _rows(application: Application, section: str) -> tuple[dict[str, Any], Response | None]:
    spec = ROW_SECTIONS[section]
    op = request.form.get("op") if request.method == "POST" else None
    row_id = int_arg(request.form.get("row_id"))

    def build(prefix: str, data: dict[str, Any] | None, bound: bool) -> FlaskForm:
        # CSRF is checked once for the request (below); the prefixed row forms skip their own.
        form = spec.form(
            prefix=prefix,
            formdata=None if not bound else request.form,
            data=data,
            meta={"csrf": False},
        )
        spec.choices(form)
        return form

    add_form = build("new", None, op == "add")
    row_forms = [
        (
            row,
            build(
                f"r{row.id}",
                None if op == "update" and row.id == row_id else spec.initial(row),
                op == "update" and row.id == row_id,
            ),
        )
        for row in spec.rows(application)
    ]
    cofinancing_form = None
    if section == "budget":
        cofinancing_form = CofinancingForm(
            prefix="cof",
            meta={"csrf": False},
            formdata=request.form if op == "cofinancing" else None,
            data={
                "amount": application.cofinancing.as_string() if application.cofinancing else "",
                "note": application.cofinancing_note,
            },
        )
    context = {"add_form": add_form, "row_forms": row_forms, "cofinancing_form": cofinancing_form}
    if op is None:
        return context, None
    if not FlaskForm().validate_on_submit():
        abort(400)
    target: FlaskForm | None = None
    with refusals(show=lambda _form, error: show_error(target, error)):
        if op == "add":
            target = add_form
            if add_form.validate():
                spec.add(db.session(), actor(), application, spec.spec(add_form))
                return {}, _done(application, section, _("Added."))
        elif op == "update":
            target = next((f for row, f in row_forms if row.id == row_id), None)
            if target is None:
                abort(404)
            if target.validate():
                spec.update(db.session(), actor(), application, row_id, spec.spec(target))
                return {}, _done(application, section)
        elif op == "remove":
            spec.remove(db.session(), actor(), application, row_id)
            return {}, _done(application, section, _("Removed."))
        elif op == "cofinancing" and cofinancing_form is not None:
            target = cofinancing_form
            if cofinancing_form.validate():
                services.update_cofinancing(
                    db.session(),
                    actor(),
                    application,
                    cofinancing_form.amount.data,
                    cofinancing_form.note.data or "",
                )
                return {}, _done(application, section)
        else:
            abort(400)
    return context, None


HANDLERS: dict[str, Callable[[Application], tuple[dict[str, Any], Response | None]]] = {
    "overview": _overview,
    "expertise": _expertise,
    "consent": _consent,
    "attachments": _attachments,
    "recommendations": lambda a: _rows(a, "recommendations"),
    "results": lambda a: _rows(a, "results"),
    "budget": lambda a: _rows(a, "budget"),
}


@bp.route("/applications/<int:application_id>/edit/<section>", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def edit(application_id: int, section: str) -> Response | str:
    if section not in SECTIONS:
        abort(404)
    application = services.get_application_for(
        db.session(), actor(), application_id, lock=request.method == "POST"
    )
    try:
        services.require_editor(actor(), application)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("applications.detail", application_id=application.id))
    context, response = HANDLERS[section](application)
    if response is not None:
        return response
    return render_template(
        "applications/edit.html",
        application=application,
        section=section,
        sections=checks.sections(application),
        progress=checks.progress(application),
        **context,
    )
