from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.admin import services
from app.admin.forms import InviteForm, UserRoleForm
from app.auth import services as auth_services
from app.auth.current import actor
from app.auth.forms import ActionForm
from app.core.errors import DomainError
from app.core.forms import choices
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import INVITABLE_BY, Region, Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals
from app.extensions import db
from app.reference import services as reference
from app.settings import services as settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _choices(form: Any, roles: frozenset[Role] | set[Role]) -> None:
    form.role.choices = choices((r.value, r.label) for r in Role if r in roles)
    form.state.choices = choices(
        [("", _("— none —"))] + [(s.iso3, s.name) for s in reference.states(db.session())]
    )
    form.region.choices = choices([("", _("— none —"))] + [(r.value, r.label) for r in Region])


def _check_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/users")
@roles_required(Role.ADMIN)
def users() -> str:
    role = request.args.get("role") or None
    q = request.args.get("q") or None
    page = services.list_users(
        db.session(), actor(), role=role, q=q, page=page_arg(request.args.get("page"))
    )
    return render_template("admin/users.html", page=page, role=role, q=q or "", roles=list(Role))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user(user_id: int) -> Response | str:
    target = services.get_user_for(db.session(), actor(), user_id)
    form = UserRoleForm(
        data={
            "role": target.role_enum.value,
            "state": target.state_iso3 or "",
            "region": target.region or "",
        }
        if request.method == "GET"
        else None
    )
    _choices(form, set(Role))
    if form.validate_on_submit():
        with refusals(form):
            auth_services.change_role(
                db.session(),
                actor(),
                target,
                role=form.role.data or "",
                state_iso3=form.state.data or None,
                region=form.region.data or None,
            )
            flash_after_commit(_("The role is saved."))
            return redirect(url_for("admin.user", user_id=target.id))
    return render_template("admin/user.html", target=target, form=form, action_form=ActionForm())


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_active(user_id: int) -> Response:
    _check_action_form()
    target = services.get_user_for(db.session(), actor(), user_id)
    with refusals():
        auth_services.set_active(db.session(), actor(), target, request.form.get("active") == "1")
        flash_after_commit(_("The account is updated."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/reset-totp", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_totp(user_id: int) -> Response:
    _check_action_form()
    target = services.get_user_for(db.session(), actor(), user_id)
    auth_services.reset_totp(db.session(), actor(), target)
    flash_after_commit(_("Two-factor sign-in is reset: the user enrols again at the next sign-in."))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/invitations", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.SECRETARIAT)
def invitations() -> Response | str:
    inviter = actor()
    form = InviteForm()
    _choices(form, INVITABLE_BY[inviter.role_enum])
    if form.validate_on_submit():
        with refusals(form):
            auth_services.invite(
                db.session(),
                inviter,
                email=form.email.data or "",
                role=form.role.data or "",
                name=form.name.data or "",
                state_iso3=form.state.data or None,
                region=form.region.data or None,
            )
            flash_after_commit(_("The invitation is sent to %(email)s.", email=form.email.data))
            return redirect(url_for("admin.invitations"))
    return render_template(
        "admin/invitations.html",
        form=form,
        invitations=services.open_invitations(db.session(), inviter),
        action_form=ActionForm(),
    )


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN, Role.SECRETARIAT)
def revoke_invitation(invitation_id: int) -> Response:
    _check_action_form()
    invitation = services.get_invitation_for(db.session(), actor(), invitation_id)
    with refusals():
        auth_services.revoke_invitation(db.session(), actor(), invitation)
        flash_after_commit(_("The invitation is withdrawn."), "info")
    return redirect(url_for("admin.invitations"))


@bp.route("/vetting")
@roles_required(Role.SECRETARIAT)
def vetting() -> str:
    return render_template(
        "admin/vetting.html",
        accounts=services.accounts_to_vet(db.session(), actor()),
        action_form=ActionForm(),
    )


@bp.route("/users/<int:user_id>/vet", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def vet(user_id: int) -> Response:
    _check_action_form()
    target = services.get_user_for(db.session(), actor(), user_id)
    with refusals():
        auth_services.vet_user(db.session(), actor(), target)
        flash_after_commit(_("%(name)s is vetted.", name=target.display_name))
    return redirect(url_for("admin.vetting"))


@bp.route("/outbox")
@roles_required(Role.SECRETARIAT, Role.AUDITOR, Role.ADMIN)
def outbox() -> str:
    page = services.outbox(db.session(), actor(), page=page_arg(request.args.get("page")))
    return render_template("admin/outbox.html", page=page)


def _nothing_saved(_form: object, _error: DomainError) -> None:
    flash(_("Nothing was saved: check the values marked below."), "error")


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings_page() -> Response | str:
    values = settings.all_values(db.session())
    errors: dict[str, str] = {}
    if request.method == "POST":
        _check_action_form()
        submitted = {key: request.form.get(key, "") for key in settings.DEFINITIONS}
        with refusals(show=_nothing_saved) as refused:
            changed = settings.update(db.session(), actor(), submitted)
            flash_after_commit(
                _("Settings saved.") if changed else _("Nothing changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("admin.settings_page"))
        if refused.error is not None:
            errors = dict(refused.error.fields)
            values = {**values, **submitted}  # type: ignore[dict-item]
    return render_template(
        "admin/settings.html", definitions=settings.DEFINITIONS, values=values, errors=errors
    )
