"""The cast of the authorization matrix (DESIGN §7) and the expected table.

Every route × every role. A route that exists in the app but not in EXPECTED fails the test,
so a new route cannot ship without deciding who may reach it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth import services as auth
from app.auth.models import User
from app.extensions import db
from tests.factories import Factory

ROLES = (
    "anonymous",
    "applicant",  # the owning State's focal point
    "applicant_other",  # another State's focal point
    "committee",
    "committee_recused",  # a national of the owning State
    "secretariat",
    "secretariat2",
    "expert",
    "donor",
    "auditor",
    "admin",
)

OK, LOGIN, DENY, HIDE = "ok", "login", "deny", "hide"


def everyone(outcome: str = OK) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str = OK) -> dict[str, str]:
    return {**dict.fromkeys(ROLES, outcome), "anonymous": LOGIN}


def only(*roles: str, other: str = DENY) -> dict[str, str]:
    table = signed_in(other)
    for role in roles:
        table[role] = OK
    return table


SECRETARIAT = ("secretariat", "secretariat2")

# (endpoint, method) -> {role: outcome}
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("public.home", "GET"): everyone(),
    ("public.healthz", "GET"): everyone(),
    ("public.set_language", "POST"): everyone(),
    ("auth.login", "GET"): everyone(),
    ("auth.login", "POST"): everyone(),
    ("auth.verify_totp", "GET"): everyone(),
    ("auth.verify_totp", "POST"): everyone(),
    ("auth.enrol_totp", "GET"): everyone(),
    ("auth.enrol_totp", "POST"): everyone(),
    ("auth.logout", "POST"): everyone(),
    ("auth.register", "GET"): everyone(),
    ("auth.register", "POST"): everyone(),
    ("auth.forgot_password", "GET"): everyone(),
    ("auth.forgot_password", "POST"): everyone(),
    ("auth.reset_password", "GET"): everyone(),
    ("auth.reset_password", "POST"): everyone(),
    ("auth.accept_invitation", "GET"): everyone(),
    ("auth.accept_invitation", "POST"): everyone(),
    ("auth.account", "GET"): signed_in(),
    ("auth.account", "POST"): signed_in(),
    ("auth.change_password", "POST"): signed_in(),
    ("auth.create_token", "POST"): signed_in(),
    ("auth.revoke_token", "POST"): only("applicant", other=HIDE),
    ("auth.setup_totp", "GET"): signed_in(),
    ("auth.setup_totp", "POST"): signed_in(),
    ("dashboard.index", "GET"): signed_in(),
    ("admin.users", "GET"): only("admin"),
    ("admin.user", "GET"): only("admin"),
    ("admin.user", "POST"): only("admin"),
    ("admin.set_active", "POST"): only("admin"),
    ("admin.reset_totp", "POST"): only("admin"),
    ("admin.invitations", "GET"): only("admin", *SECRETARIAT),
    ("admin.invitations", "POST"): only("admin", *SECRETARIAT),
    ("admin.revoke_invitation", "POST"): only("admin", *SECRETARIAT),
    ("admin.vetting", "GET"): only(*SECRETARIAT),
    ("admin.vet", "POST"): only(*SECRETARIAT),
    ("admin.outbox", "GET"): only("admin", "auditor", *SECRETARIAT),
    ("auditlog.index", "GET"): only("admin", "auditor"),
    ("api.me", "GET"): signed_in(),
    ("api.reference_data", "GET"): signed_in(),
    ("api.openapi", "GET"): everyone(),
}


@dataclass
class Cast:
    users: dict[str, User]
    tokens: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)


def build_cast(factory: Factory) -> Cast:
    users = {
        "applicant": factory.user("applicant", state="FJI"),
        "applicant_other": factory.user("applicant", state="MWI"),
        "committee": factory.user("committee", state="KEN", region="african"),
        "committee_recused": factory.user("committee", state="FJI", region="asia_pacific"),
        "secretariat": factory.user("secretariat"),
        "secretariat2": factory.user("secretariat"),
        "expert": factory.user("expert"),
        "donor": factory.user("donor"),
        "auditor": factory.user("auditor"),
        "admin": factory.user("admin"),
    }
    tokens = {role: factory.token(user) for role, user in users.items()}
    session = db.session()
    unvetted = factory.user("donor", vetted=False)
    invitation, _ = auth.invite(
        session, users["admin"], email="invitee@test.example", role="applicant", state_iso3="FJI"
    )
    api_token, _ = auth.create_api_token(session, users["applicant"], "matrix")
    session.commit()
    objects = {
        "user_id": users["donor"].id,
        "unvetted_id": unvetted.id,
        "invitation_id": invitation.id,
        "token_id": api_token.id,
    }
    return Cast(users=users, tokens=tokens, objects=objects)


# endpoint -> URL arguments, from the cast's objects
URL_ARGS: dict[str, Any] = {
    "auth.reset_password": lambda o: {"token": "not-a-valid-token"},
    "auth.accept_invitation": lambda o: {"token": "not-a-valid-token"},
    "auth.revoke_token": lambda o: {"token_id": o["token_id"]},
    "admin.user": lambda o: {"user_id": o["user_id"]},
    "admin.set_active": lambda o: {"user_id": o["user_id"]},
    "admin.reset_totp": lambda o: {"user_id": o["user_id"]},
    "admin.vet": lambda o: {"user_id": o["unvetted_id"]},
    "admin.revoke_invitation": lambda o: {"invitation_id": o["invitation_id"]},
}
