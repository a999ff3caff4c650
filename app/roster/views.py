"""The secretariat's roster: the experts searched and ranked, an expert's page with its
missions and vetting, and the roster searched for one grant's request."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth.current import actor
from app.core.pagination import Page, page_arg
from app.core.permissions import roles_required
from app.core.roles import Region, Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals, show_on
from app.deployments import proposals
from app.deployments import services as deployments
from app.experts import profiles
from app.experts.forms import NoteForm, VetForm
from app.experts.models import Expert, ExpertStatus
from app.experts.workflow import EXPERT_WORKFLOW
from app.extensions import db
from app.grants import services as grants
from app.reference import services as reference
from app.roster import matching

bp = Blueprint("roster", __name__)
ROSTER_READERS = profiles.ROSTER_READERS


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
        with refusals(form, show=show_on(form.outcome)):
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
            return redirect(url_for("roster.expert", expert_id=expert_id))
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
        return redirect(url_for("roster.expert", expert_id=expert_id))
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
        budget_free=proposals.expert_budget_free(session, grant),
    )
