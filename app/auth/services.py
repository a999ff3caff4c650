"""Account rules: creating users, signing in, TOTP, invitations, resets and API tokens.

Functions take the session and the acting user, check permission, change state, write the
audit event and queue mail. They never commit: the request or command does.

Longer than our ~500 lines for now: every account rule a security review must read (sign-in
and its throttle, sessions, TOTP, tokens, invitations, registration, resets, roles) is here,
and that review is under way; it is to be split by concern (sign-in, invitations and
registration, tokens) once it has landed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import signals
from app.auth import tokens, totp
from app.auth.models import ApiToken, Invitation, User
from app.core import audit, mail
from app.core.database import utcnow
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.core.numbers import whole_number
from app.core.roles import INVITABLE_BY, SELF_REGISTRATION_ROLES, Region, Role
from app.reference.models import State

PASSWORD_MIN = 12
PASSWORD_MAX = 128
# Compared against when the e-mail is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000", method="scrypt")
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


# -- validation ------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(str(exc), fields={"email": str(exc)}) from None
    return str(result.normalized).lower()


def validate_password(password: str, *, email: str | None = None) -> None:
    if len(password or "") < PASSWORD_MIN:
        message = _("Use at least %(count)s characters.", count=PASSWORD_MIN)
        raise ValidationError(message, fields={"password": message})
    if len(password) > PASSWORD_MAX:
        message = _("Use at most %(count)s characters.", count=PASSWORD_MAX)
        raise ValidationError(message, fields={"password": message})
    if len(set(password)) < 4 or (email and password.lower() == email.lower()):
        message = _("This password is too easy to guess.")
        raise ValidationError(message, fields={"password": message})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationError(
            _(
                "unknown role %(role)s; use one of %(roles)s",
                role=repr(value),
                roles=", ".join(r.value for r in Role),
            ),
            fields={"role": "unknown role"},
        ) from None


def parse_region(value: str | None) -> Region | None:
    if value in (None, ""):
        return None
    try:
        return Region(value)
    except ValueError:
        raise ValidationError(
            _(
                "unknown region %(region)s; use one of %(regions)s",
                region=repr(value),
                regions=", ".join(r.value for r in Region),
            ),
            fields={"region": "unknown region"},
        ) from None


def _check_state(session: Session, iso3: str | None) -> str | None:
    if iso3 in (None, ""):
        return None
    state = session.get(State, iso3.strip().upper())
    if state is None:
        raise ValidationError(
            _(
                "unknown State %(code)s; use an ISO 3166-1 alpha-3 code such as FJI",
                code=repr(iso3),
            ),
            fields={"state": "unknown State"},
        )
    return state.iso3


def _check_role_fields(role: Role, state_iso3: str | None, region: Region | None) -> None:
    if role is Role.APPLICANT and not state_iso3:
        raise ValidationError(
            _("an applicant must belong to a State (--state ISO3)"), fields={"state": "required"}
        )
    if role is Role.COMMITTEE and region is None:
        raise ValidationError(
            _("a committee member must represent a regional group (--region GROUP)"),
            fields={"region": "required"},
        )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("no such user"))
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == (email or "").strip().lower())
    ).scalar_one_or_none()


# -- creating users ----------------------------------------------------------------------------


def create_user(
    session: Session,
    *,
    email: str,
    role: Role | str,
    name: str = "",
    state_iso3: str | None = None,
    region: Region | str | None = None,
    password: str | None = None,
    actor: User | None = None,
    vetted: bool = True,
    locale: str | None = None,
) -> User:
    role = parse_role(role) if isinstance(role, str) else role
    region_value = parse_region(region) if isinstance(region, str) or region is None else region
    email = normalise_email(email)
    iso3 = _check_state(session, state_iso3)
    _check_role_fields(role, iso3, region_value)
    if find_user_by_email(session, email) is not None:
        raise Conflict(
            _("a user with e-mail %(email)s already exists", email=email),
            fields={"email": "taken"},
        )
    user = User(
        email=email,
        name=(name or "").strip() or email.split("@")[0],
        role=role,
        state_iso3=iso3,
        region=region_value,
        locale=locale,
        vetted_at=utcnow() if vetted else None,
    )
    if password is not None:
        validate_password(password, email=email)
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.create",
        user,
        actor=actor,
        data={"email": email, "role": role.value, "state": iso3, "region": region_value},
    )
    return user


REGISTRATION_LINK = "register"


def request_registration(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role | str,
    nationality: str | None = None,
    locale: str | None = None,
) -> None:
    """Self-registration, first step: e-mail the address a link that finishes it.

    The account is made only when the link is followed, so nobody can hold an account in
    someone else's name, and the answer is the same whether the address is known or not
    (its owner is told by e-mail instead): registering reveals no accounts."""
    role = parse_role(role) if isinstance(role, str) else role
    if role not in SELF_REGISTRATION_ROLES:
        raise PermissionDenied(_("only donors and experts may register themselves"))
    address = normalise_email(email)
    iso3 = _check_state(session, nationality)
    name = (name or "").strip()[:200]
    existing = find_user_by_email(session, address)
    if existing is not None:
        mail.queue(session, existing, "registration_exists", {"user": existing})
        return
    token = tokens.sign(
        REGISTRATION_LINK,
        {"email": address, "name": name, "role": role.value, "state": iso3, "locale": locale},
    )
    mail.queue(
        session,
        address,
        "registration_link",
        {"name": name or address, "token": token, "role": role},
    )


def registration_from_token(session: Session, token: str) -> dict[str, Any]:
    """What the e-mailed link carries, if it is genuine, recent and not used yet."""
    payload = tokens.unsign(REGISTRATION_LINK, token, current_app.config["REGISTRATION_MAX_AGE"])
    if not isinstance(payload.get("email"), str) or payload.get("role") not in {
        r.value for r in SELF_REGISTRATION_ROLES
    }:
        raise tokens.LinkError(_("This link is not valid."))
    if find_user_by_email(session, payload["email"]) is not None:
        raise tokens.LinkError(
            _("This link has already been used. Sign in, or reset your password.")
        )
    return payload


def finish_registration(session: Session, token: str, *, password: str) -> User:
    """Self-registration, second step: the address is proven; the account is made."""
    payload = registration_from_token(session, token)
    return register(
        session,
        email=payload["email"],
        name=payload.get("name") or "",
        password=password,
        role=payload["role"],
        nationality=payload.get("state"),
        locale=payload.get("locale"),
    )


def register(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: Role | str,
    nationality: str | None = None,
    locale: str | None = None,
) -> User:
    """Self-registration: only donors and experts, and they start unvetted."""
    role = parse_role(role) if isinstance(role, str) else role
    if role not in SELF_REGISTRATION_ROLES:
        raise PermissionDenied(_("only donors and experts may register themselves"))
    validate_password(password, email=email)
    user = create_user(
        session,
        email=email,
        role=role,
        name=name,
        state_iso3=nationality,
        password=password,
        vetted=False,
        locale=locale,
    )
    audit.record(session, "user.register", user, actor=user, data={"role": role.value})
    for staff in active_users_with_role(session, Role.SECRETARIAT):
        mail.queue(session, staff, "account_to_vet", {"user": user})
    return user


def vet_user(session: Session, actor: User, user: User) -> None:
    if actor.role_enum is not Role.SECRETARIAT:
        raise PermissionDenied(_("only the secretariat vets accounts"))
    if user.role_enum is Role.EXPERT:
        raise ValidationError(_("experts are vetted on their roster profile, by the secretariat"))
    if user.role_enum not in SELF_REGISTRATION_ROLES:
        raise ValidationError(_("only donor and expert accounts are vetted"))
    if user.is_vetted:
        raise Conflict(_("this account is already vetted"))
    user.vetted_at = utcnow()
    audit.record(session, "user.vet", user, actor=actor)
    mail.queue(session, user, "account_vetted", {"user": user})


def end_access(session: Session, user: User) -> int:
    """Sign `user` out everywhere and revoke its API tokens; returns how many were revoked.

    For the events that say the account's access may be in other hands, or changes: a new
    password, a reset two-factor, deactivation, a new role. (Signing out alone ends the web
    sessions only: tokens are for scripts, and minting one asks for the password.)"""
    user.session_version += 1
    revoked = 0
    now = utcnow()
    for token in session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalars():
        token.revoked_at = now
        revoked += 1
    return revoked


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    if actor.role_enum is not Role.ADMIN:
        raise PermissionDenied(_("only an administrator manages accounts"))
    if user.id == actor.id and not active:
        raise ValidationError(_("you cannot deactivate your own account"))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_access(session, user)
    audit.record(session, "user.activate" if active else "user.deactivate", user, actor=actor)


def change_role(
    session: Session,
    actor: User,
    user: User,
    *,
    role: Role | str,
    state_iso3: str | None,
    region: Region | str | None,
) -> None:
    if actor.role_enum is not Role.ADMIN:
        raise PermissionDenied(_("only an administrator changes roles"))
    if user.id == actor.id:
        raise ValidationError(_("you cannot change your own role"))
    new_role = parse_role(role) if isinstance(role, str) else role
    new_region = parse_region(region) if isinstance(region, str) or region is None else region
    iso3 = _check_state(session, state_iso3)
    _check_role_fields(new_role, iso3, new_region)
    if iso3 != user.state_iso3:
        signals.nationality_changing.send(user, session=session, actor=actor, state_iso3=iso3)
    before = {"role": user.role_enum.value, "state": user.state_iso3, "region": user.region}
    role_changes = new_role is not user.role_enum
    user.role, user.state_iso3, user.region = new_role, iso3, new_region
    if role_changes or (new_role.needs_totp and not user.has_totp):
        # The next sign-in is as the new role (through TOTP enrolment if it needs it); a token
        # made for the old role does not carry over to the new one.
        end_access(session, user)
    audit.record(
        session,
        "user.change_role",
        user,
        actor=actor,
        data={
            "before": before,
            "after": {"role": new_role.value, "state": iso3, "region": new_region},
        },
    )


# -- signing in and out --------------------------------------------------------------------------


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if e-mail and password match an active account; None otherwise."""
    user = find_user_by_email(session, email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        audit.record(session, "user.login_failed", data={"email": (email or "")[:320]})
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        audit.record(session, "user.login_failed", user, data={"email": user.email})
        return None
    return user


def complete_login(session: Session, user: User) -> None:
    user.last_login_at = utcnow()
    audit.record(session, "user.login", user, actor=user)


def sign_out(session: Session, user: User) -> None:
    """Invalidate every session of this user (the session version is part of the cookie)."""
    user.session_version += 1
    audit.record(session, "user.logout", user, actor=user)


def load_user(session: Session, session_id: str) -> User | None:
    user_id, _sep, version = (session_id or "").partition(":")
    number, version_number = whole_number(user_id), whole_number(version)
    if number is None or version_number is None:
        return None
    user = session.get(User, number)
    if user is None or not user.active or user.session_version != version_number:
        return None
    return user


def set_password(session: Session, user: User, password: str, *, actor: User | None = None) -> None:
    validate_password(password, email=user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_access(session, user)
    audit.record(session, "user.password_set", user, actor=actor or user)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise ValidationError(
            _("Your current password is not correct."), fields={"current_password": "incorrect"}
        )
    set_password(session, user, new)
    mail.queue(session, user, "password_changed", {"user": user})


def update_profile(session: Session, user: User, *, name: str, locale: str | None) -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Your name cannot be empty."), fields={"name": "required"})
    if locale not in (None, "", *current_app.config["LANGUAGES"]):
        raise ValidationError(_("Unknown language."), fields={"locale": "unknown"})
    user.name = name[:200]
    user.locale = locale or None
    audit.record(session, "user.update_profile", user, actor=user)


# -- password reset ------------------------------------------------------------------------------


def password_reset_token(user: User) -> str:
    return tokens.sign("reset", {"uid": user.id, "fp": tokens.fingerprint(user.password_hash)})


def request_password_reset(session: Session, email: str) -> None:
    """Queue a reset link if the account exists; say nothing either way (no enumeration)."""
    try:
        address = normalise_email(email)
    except ValidationError:
        return
    user = find_user_by_email(session, address)
    if user is None or not user.active:
        return
    mail.queue(session, user, "password_reset", {"user": user, "token": password_reset_token(user)})
    audit.record(session, "user.password_reset_requested", user)


def user_from_reset_token(session: Session, token: str) -> User:
    payload = tokens.unsign("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = session.get(User, int(payload.get("uid", 0)))
    if (
        user is None
        or not user.active
        or payload.get("fp") != tokens.fingerprint(user.password_hash)
    ):
        raise tokens.LinkError(_("This link has already been used or is no longer valid."))
    return user


def reset_password(session: Session, token: str, password: str) -> User:
    user = user_from_reset_token(session, token)
    set_password(session, user, password)
    return user


# -- invitations ---------------------------------------------------------------------------------


def invite(
    session: Session,
    actor: User,
    *,
    email: str,
    role: Role | str,
    name: str = "",
    state_iso3: str | None = None,
    region: Region | str | None = None,
) -> tuple[Invitation, str]:
    role = parse_role(role) if isinstance(role, str) else role
    if role not in INVITABLE_BY.get(actor.role_enum, frozenset()):
        raise PermissionDenied(
            _(
                "a %(actor_role)s may not invite a %(role)s",
                actor_role=actor.role_enum.value,
                role=role.value,
            )
        )
    email = normalise_email(email)
    region_value = parse_region(region) if isinstance(region, str) or region is None else region
    iso3 = _check_state(session, state_iso3)
    _check_role_fields(role, iso3, region_value)
    if find_user_by_email(session, email) is not None:
        raise Conflict(
            _("%(email)s already has an account", email=email), fields={"email": "taken"}
        )
    invitation = Invitation(
        email=email,
        name=(name or "").strip(),
        role=role,
        state_iso3=iso3,
        region=region_value,
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    session.add(invitation)
    session.flush()
    token = tokens.sign("invite", {"iid": invitation.id, "email": email})
    audit.record(
        session,
        "invitation.create",
        invitation,
        actor=actor,
        data={"email": email, "role": role.value, "state": iso3, "region": region_value},
    )
    mail.queue(session, email, "invitation", {"invitation": invitation, "token": token})
    return invitation, token


def invitation_from_token(session: Session, token: str) -> Invitation:
    payload = tokens.unsign("invite", token, current_app.config["INVITATION_MAX_AGE"])
    invitation = session.get(Invitation, int(payload.get("iid", 0)))
    if invitation is None or invitation.email != payload.get("email") or not invitation.is_open():
        raise tokens.LinkError(
            _("This invitation has already been used, was withdrawn or expired.")
        )
    inviter = invitation.invited_by
    may_still_invite = inviter.active and Role(invitation.role) in INVITABLE_BY.get(
        inviter.role_enum, frozenset()
    )
    if not may_still_invite:
        # Whoever invited may no longer do so (switched off, or moved to another role): what
        # it handed out goes with it, so a departing officer cannot leave doors open.
        raise tokens.LinkError(
            _("This invitation is no longer valid. Ask the secretariat for a new one.")
        )
    return invitation


def accept_invitation(session: Session, token: str, *, name: str, password: str) -> User:
    invitation = invitation_from_token(session, token)
    user = create_user(
        session,
        email=invitation.email,
        role=invitation.role,
        name=name or invitation.name,
        state_iso3=invitation.state_iso3,
        region=invitation.region,
        password=password,
        actor=None,
        vetted=True,
    )
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    audit.record(session, "invitation.accept", invitation, actor=user)
    return user


def revoke_invitation(session: Session, actor: User, invitation: Invitation) -> None:
    if actor.role_enum not in INVITABLE_BY:
        raise PermissionDenied(_("you may not manage invitations"))
    if not invitation.is_open():
        raise Conflict(_("this invitation is no longer open"))
    invitation.revoked_at = utcnow()
    audit.record(session, "invitation.revoke", invitation, actor=actor)


# -- TOTP --------------------------------------------------------------------------------------


def _locked(session: Session, user: User) -> User:
    """Re-read the user row under a lock so two requests cannot use one code twice."""
    return session.execute(
        select(User).where(User.id == user.id).with_for_update(of=User)
    ).scalar_one()


def confirm_totp_enrolment(session: Session, user: User, secret: str, code: str) -> bool:
    user = _locked(session, user)
    step = totp.matching_step(secret, code)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_counter = step
    audit.record(session, "user.totp_enrol", user, actor=user)
    return True


def verify_totp(session: Session, user: User, code: str) -> bool:
    user = _locked(session, user)
    if not user.has_totp or user.totp_secret is None:
        return False
    step = totp.matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_counter is not None and step <= user.totp_last_counter):
        audit.record(session, "user.totp_failed", user, data={"replay": step is not None})
        return False
    user.totp_last_counter = step
    return True


def reset_totp(session: Session, actor: User, user: User) -> None:
    if actor.role_enum is not Role.ADMIN:
        raise PermissionDenied(_("only an administrator resets two-factor sign-in"))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    end_access(session, user)
    audit.record(session, "user.totp_reset", user, actor=actor)


# -- API tokens -----------------------------------------------------------------------------------


def create_api_token_with_password(
    session: Session, user: User, password: str, name: str = "API token"
) -> tuple[ApiToken, str]:
    """A token from the account page: the password is asked again, so that a session cookie
    in other hands cannot be turned into access that outlives it."""
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(_("Your password is not correct."), fields={"password": "incorrect"})
    return create_api_token(session, user, name)


def create_api_token(session: Session, user: User, name: str = "API token") -> tuple[ApiToken, str]:
    plaintext = tokens.new_api_token()
    token = ApiToken(
        user_id=user.id,
        name=(name or "API token").strip()[:100] or "API token",
        token_hash=tokens.hash_api_token(plaintext),
        prefix=plaintext[:12],
    )
    session.add(token)
    session.flush()
    audit.record(session, "api_token.create", token, actor=user, data={"name": token.name})
    return token, plaintext


def revoke_api_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("no such token"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "api_token.revoke", token, actor=user)


def user_for_api_token(session: Session, plaintext: str) -> User | None:
    if not plaintext or not plaintext.startswith(tokens.API_TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == tokens.hash_api_token(plaintext))
    ).scalar_one_or_none()
    if token is None or not token.is_active or not token.user.active:
        return None
    if token.user.role_enum.needs_totp and not token.user.has_totp:
        return None  # these roles act only after a second factor (design.md §2)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > API_TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now
    return token.user


def api_tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    return (
        session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
        .scalars()
        .all()
    )


# -- recipients ------------------------------------------------------------------------------------


def active_users_with_role(session: Session, role: Role) -> Sequence[User]:
    return (
        session.execute(
            select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)
        )
        .scalars()
        .all()
    )


def focal_points(session: Session, state_iso3: str) -> Sequence[User]:
    """The active applicant users who act for a State."""
    return (
        session.execute(
            select(User)
            .where(
                User.role == Role.APPLICANT, User.state_iso3 == state_iso3, User.active.is_(True)
            )
            .order_by(User.id)
        )
        .scalars()
        .all()
    )
