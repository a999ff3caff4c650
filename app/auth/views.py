"""Sign-in (password, then TOTP where the role needs it), sign-out, registration,
invitations, password resets and the account page."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth import services, totp
from app.auth.forms import (
    AcceptInvitationForm,
    ActionForm,
    ApiTokenForm,
    ChangePasswordForm,
    FinishRegistrationForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TotpForm,
)
from app.auth.models import User
from app.auth.tokens import LinkError
from app.core.errors import DomainError
from app.core.forms import choices
from app.core.security import safe_next
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals
from app.extensions import db, limiter
from app.reference import services as reference

bp = Blueprint("auth", __name__)

PENDING_MAX_AGE = 300  # seconds between the password step and the TOTP step


def _deduct_failures(response: Response) -> bool:
    """Count only failed attempts toward the throttle (a success redirects)."""
    return response.status_code != 302


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _pending_key() -> str:
    pending = session.get("pending_login") or {}
    return f"totp-user:{pending.get('uid', request.remote_addr)}"


def _dashboard() -> str:
    return url_for("dashboard.index")


def _apply_form_errors(form: Any, error: DomainError) -> None:
    placed = False
    for field, message in error.fields.items():
        if hasattr(form, field):
            getattr(form, field).errors = [*getattr(form, field).errors, error.message or message]
            placed = True
    if not placed:
        flash(error.message, "error")


def _finish_login(user: User, next_url: str | None) -> Response:
    session.clear()  # a new session at sign-in (also rotates the CSRF token)
    login_user(user)
    session.permanent = True
    session["login_at"] = int(time.time())
    services.complete_login(db.session(), user)
    if user.locale:
        session["lang"] = user.locale
    flash_after_commit(_("Welcome, %(name)s.", name=user.display_name))
    return redirect(safe_next(next_url, _dashboard()))


def _pending_user() -> User | None:
    pending = session.get("pending_login")
    if not pending or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or user.session_version != pending.get("sv"):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_deduct_failures,
    error_message="Too many sign-in attempts from your address. Wait a few minutes.",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_deduct_failures,
    error_message="Too many sign-in attempts for this account. Wait a few minutes.",
)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(_dashboard())
    form = LoginForm()
    next_url = request.args.get("next") or request.form.get("next")
    if form.validate_on_submit():
        user = services.authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is None:
            # The page answers 200, so the request commits: the audit record of the failure
            # is kept.
            flash(_("E-mail or password is not correct."), "error")
            return render_template("auth/login.html", form=form, next=next_url)
        if user.needs_totp or user.has_totp:
            session.clear()
            session["pending_login"] = {
                "uid": user.id,
                "sv": user.session_version,
                "at": int(time.time()),
                "next": safe_next(next_url, ""),
            }
            return redirect(url_for("auth.verify_totp" if user.has_totp else "auth.enrol_totp"))
        return _finish_login(user, next_url)
    return render_template("auth/login.html", form=form, next=safe_next(next_url, ""))


@bp.route("/login/verify", methods=["GET", "POST"])
@limiter.limit(
    "5 per 5 minutes", key_func=_pending_key, methods=["POST"], deduct_when=_deduct_failures
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_deduct_failures,
)
def verify_totp() -> Response | str:
    user = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    if not user.has_totp:
        return redirect(url_for("auth.enrol_totp"))
    form = TotpForm()
    if form.validate_on_submit():
        ok = services.verify_totp(db.session(), user, form.code.data or "")
        if ok:
            return _finish_login(user, session["pending_login"].get("next"))
        # The page answers 200: the failed attempt is recorded.
        form.code.errors = [
            _("That code is not valid, or it was already used. Wait for the next one.")
        ]
    return render_template("auth/totp_verify.html", form=form, user=user)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(
    "10 per 5 minutes", key_func=_pending_key, methods=["POST"], deduct_when=_deduct_failures
)
def enrol_totp() -> Response | str:
    user = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    if user.has_totp:
        return redirect(url_for("auth.verify_totp"))
    secret = session.setdefault("totp_enrol_secret", totp.new_secret())
    form = TotpForm()
    if form.validate_on_submit():
        if services.confirm_totp_enrolment(db.session(), user, secret, form.code.data or ""):
            next_url = session["pending_login"].get("next")
            flash(_("Two-factor sign-in is now on for your account."), "success")
            return _finish_login(user, next_url)
        form.code.errors = [_("That code does not match. Check the time on your device.")]
    return _render_enrolment(form, user, secret, url_for("auth.enrol_totp"))


def _render_enrolment(form: TotpForm, user: User, secret: str, action: str) -> str:
    uri = totp.provisioning_uri(secret, user.email, current_app.config["TOTP_ISSUER"])
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "auth/totp_enrol.html",
        form=form,
        user=user,
        qr=totp.qr_svg(uri),
        secret=grouped,
        action=action,
    )


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.sign_out(db.session(), current_user._get_current_object())
    logout_user()
    session.clear()
    flash_after_commit(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(_dashboard())
    form = RegisterForm()
    form.nationality.choices = choices(
        [("", _("— not given —"))] + [(s.iso3, s.name) for s in reference.states(db.session())]
    )
    if form.validate_on_submit():
        with refusals(form, show=_apply_form_errors):
            services.request_registration(
                db.session(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                nationality=form.nationality.data or None,
                locale=session.get("lang"),
            )
            # The same page whether the address has an account or not (its owner is told).
            return render_template("auth/register_sent.html", email=form.email.data or "")
    return render_template("auth/register.html", form=form)


@bp.route("/register/<token>", methods=["GET", "POST"])
def finish_registration(token: str) -> Response | str:
    try:
        pending = services.registration_from_token(db.session(), token)
    except LinkError as error:
        return render_template("auth/link_error.html", message=str(error)), 400  # type: ignore[return-value]
    form = FinishRegistrationForm()
    if form.validate_on_submit():
        try:
            with refusals(form, show=_apply_form_errors):
                user = services.finish_registration(
                    db.session(), token, password=form.password.data or ""
                )
                return _finish_login(user, None)
        except LinkError as error:
            return render_template("auth/link_error.html", message=str(error)), 400  # type: ignore[return-value]
    return render_template("auth/register_finish.html", form=form, pending=pending)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password() -> Response | str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session(), form.email.data or "")
        flash_after_commit(
            _("If an account uses that address, we have sent it a link to choose a new password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str:
    try:
        user = services.user_from_reset_token(db.session(), token)
    except LinkError as error:
        return render_template("auth/link_error.html", message=str(error)), 400  # type: ignore[return-value]
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with refusals(form, show=_apply_form_errors):
            services.reset_password(db.session(), token, form.password.data or "")
            flash_after_commit(_("Your password is changed. Please sign in."))
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | str:
    try:
        invitation = services.invitation_from_token(db.session(), token)
    except LinkError as error:
        return render_template("auth/link_error.html", message=str(error)), 400  # type: ignore[return-value]
    form = AcceptInvitationForm(name=invitation.name)
    if form.validate_on_submit():
        with refusals(form, show=_apply_form_errors):
            services.accept_invitation(
                db.session(), token, name=form.name.data or "", password=form.password.data or ""
            )
            flash_after_commit(_("Your account is ready. Please sign in."))
            return redirect(url_for("auth.login"))
    return render_template("auth/invitation.html", form=form, invitation=invitation)


# -- the account page ---------------------------------------------------------------------------


def _account_page(**forms: Any) -> str:
    user: User = current_user._get_current_object()
    profile = forms.get("profile") or ProfileForm(obj=user)
    profile.locale.choices = choices(
        [("", _("Automatic")), *current_app.config["LANGUAGES"].items()]
    )
    return render_template(
        "auth/account.html",
        profile_form=profile,
        password_form=forms.get("password") or ChangePasswordForm(),
        token_form=forms.get("token") or ApiTokenForm(),
        action_form=ActionForm(),
        tokens=services.api_tokens_of(db.session(), user),
        new_token=forms.get("new_token"),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    form = ProfileForm()
    form.locale.choices = choices([("", _("Automatic")), *current_app.config["LANGUAGES"].items()])
    if form.validate_on_submit():
        with refusals(form, show=_apply_form_errors):
            services.update_profile(
                db.session(),
                current_user._get_current_object(),
                name=form.name.data or "",
                locale=form.locale.data or None,
            )
            if form.locale.data:
                session["lang"] = form.locale.data
            flash_after_commit(_("Your profile is saved."))
            return redirect(url_for("auth.account"))
        return _account_page(profile=form)
    if request.method == "POST":
        return _account_page(profile=form)
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password() -> Response | str:
    form = ChangePasswordForm()
    user: User = current_user._get_current_object()
    if form.validate_on_submit():
        with refusals(form, show=_apply_form_errors):
            services.change_password(
                db.session(), user, form.current_password.data or "", form.password.data or ""
            )
            # Every other session is now invalid; renew this one.
            session.clear()
            login_user(user)
            session.permanent = True
            session["login_at"] = int(time.time())
            flash_after_commit(_("Your password is changed. Other sessions are signed out."))
            return redirect(url_for("auth.account"))
    return _account_page(password=form)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token() -> Response | str:
    form = ApiTokenForm()
    if form.validate_on_submit():
        with refusals(form, show=_apply_form_errors):
            _token, plaintext = services.create_api_token_with_password(
                db.session(),
                current_user._get_current_object(),
                form.password.data or "",
                form.name.data or "",
            )
            return _account_page(new_token=plaintext)
    return _account_page(token=form)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.revoke_api_token(db.session(), current_user._get_current_object(), token_id)
    except DomainError:
        abort(404)
    flash_after_commit(_("The token is revoked."), "info")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def setup_totp() -> Response | str:
    user: User = current_user._get_current_object()
    if user.has_totp:
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("auth.account"))
    secret = session.setdefault("totp_enrol_secret", totp.new_secret())
    form = TotpForm()
    if form.validate_on_submit():
        if services.confirm_totp_enrolment(db.session(), user, secret, form.code.data or ""):
            session.pop("totp_enrol_secret", None)
            flash_after_commit(_("Two-factor sign-in is now on for your account."))
            return redirect(url_for("auth.account"))
        form.code.errors = [_("That code does not match. Check the time on your device.")]
    return _render_enrolment(form, user, secret, url_for("auth.setup_totp"))
