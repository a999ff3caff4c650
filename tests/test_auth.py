"""Sign-in, TOTP, sessions, registration, resets and invitations (design.md §2, §6)."""

import re
import time

import pytest
from sqlalchemy import func, select

from app.auth import services as auth
from app.auth import totp
from app.auth.models import Invitation
from app.core import mail
from app.core.audit import AuditEvent
from app.core.mail import OutboxMessage
from app.extensions import db
from tests.factories import PASSWORD, login, totp_secret_for
from tests.servers import smtp_server


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def last_mail(to: str) -> OutboxMessage:
    return (
        db.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == to)
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )


def link_in(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# -- password sign-in -------------------------------------------------------------------------


def test_password_is_hashed_with_scrypt(factory):
    user = factory.user("donor", password=PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_sign_in_lands_on_the_role_dashboard(client, factory):
    user = factory.user("applicant", password=PASSWORD, state="FJI")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Fiji — requests to the fund" in page.get_data(as_text=True)


def test_wrong_password_gets_a_generic_message(client, factory):
    user = factory.user("donor", password=PASSWORD)
    for email, password in ((user.email, "wrong password!!"), ("nobody@test.example", PASSWORD)):
        response = sign_in(client, email, password)
        assert response.status_code == 200
        assert "E-mail or password is not correct." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    failures = db.session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.login_failed")
    ).scalar_one()
    assert failures == 2


def test_repeated_failures_are_throttled_per_account(client, factory, app):
    user = factory.user("donor", password=PASSWORD)
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit):
        assert sign_in(client, user.email, "wrong password!!").status_code == 200
    throttled = sign_in(client, user.email, PASSWORD)
    assert throttled.status_code == 429
    # Another account from the same address is not locked by this one's failures.
    other = factory.user("donor", password=PASSWORD)
    assert sign_in(client, other.email).status_code == 302


def test_repeated_failures_are_throttled_per_address(client, factory, app):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    for n in range(limit):
        sign_in(client, f"guess{n}@test.example", "wrong password!!")
    user = factory.user("donor", password=PASSWORD)
    assert sign_in(client, user.email).status_code == 429


def test_successful_sign_ins_do_not_count_toward_the_throttle(client, factory, app):
    user = factory.user("donor", password=PASSWORD)
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit + 2):
        assert sign_in(client, user.email).status_code == 302
        client.post("/logout")


def test_deactivated_user_cannot_sign_in(client, factory):
    user = factory.user("donor", password=PASSWORD)
    user.active = False
    db.session.commit()
    assert sign_in(client, user.email).status_code == 200


# -- sessions ----------------------------------------------------------------------------------


def test_session_is_renewed_at_sign_in(client, factory):
    user = factory.user("donor", password=PASSWORD)
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:{user.session_version}"


def test_sign_out_invalidates_a_copied_session_cookie(client, factory, app):
    user = factory.user("donor", password=PASSWORD)
    sign_in(client, user.email)
    stolen = client.get_cookie("sptf_session").value
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("sptf_session", stolen)
    response = thief.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_signs_out_other_sessions_but_keeps_this_one(client, factory, app):
    user = factory.user("donor", password=PASSWORD)
    other = app.test_client()
    sign_in(other, user.email)
    sign_in(client, user.email)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    assert last_mail(user.email).kind == "password_changed"


def test_password_change_needs_the_current_password(client, factory):
    user = factory.user("donor", password=PASSWORD)
    sign_in(client, user.email)
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert "Your current password is not correct." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert auth.authenticate(db.session(), user.email, PASSWORD) is not None


def test_session_expires_after_its_absolute_lifetime(client, factory, app):
    user = factory.user("donor")
    login(client, user)
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - app.config["SESSION_ABSOLUTE_LIFETIME"] - 1
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_next_redirects_only_within_the_site(client, factory):
    user = factory.user("donor", password=PASSWORD)
    response = sign_in(client, user.email, next="/account")
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    for evil in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = sign_in(client, user.email, next=evil)
        assert response.headers["Location"] == "/dashboard", evil
        client.post("/logout")


# -- TOTP --------------------------------------------------------------------------------------


def test_committee_member_needs_a_valid_totp_code(client, factory):
    user = factory.user("committee", password=PASSWORD)
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/login/verify"
    # The password alone does not sign in.
    assert client.get("/dashboard").status_code == 302
    response = client.post("/login/verify", data={"code": "000000"})
    assert "That code is not valid" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    code = totp.code_for(totp_secret_for(user.email))
    response = client.post("/login/verify", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200


def test_a_used_totp_code_is_refused_if_replayed(client, factory, app):
    user = factory.user("secretariat", password=PASSWORD)
    code = totp.code_for(totp_secret_for(user.email))
    sign_in(client, user.email)
    assert client.post("/login/verify", data={"code": code}).status_code == 302
    second = app.test_client()
    sign_in(second, user.email)
    response = second.post("/login/verify", data={"code": code})
    assert response.status_code == 200
    assert "already used" in response.get_data(as_text=True)
    assert second.get("/dashboard").status_code == 302


def test_totp_roles_enrol_at_first_sign_in(client, factory):
    user = factory.user("admin", password=PASSWORD, enrol_totp=False)
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page and 'id="manual-key"' in page
    with client.session_transaction() as session:
        secret = session["totp_enrol_secret"]
    assert secret.replace(" ", "")[:4] in page
    assert "QR code" in page
    response = client.post("/login/enrol", data={"code": "123456"})
    assert "does not match" in response.get_data(as_text=True)
    response = client.post("/login/enrol", data={"code": totp.code_for(secret)})
    assert response.headers["Location"] == "/dashboard"
    db.session.refresh(user)
    assert user.has_totp and user.totp_secret == secret


def test_totp_step_expires(client, factory):
    user = factory.user("committee", password=PASSWORD)
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session["pending_login"]["at"] -= 3600
        session.modified = True
    response = client.post(
        "/login/verify", data={"code": totp.code_for(totp_secret_for(user.email))}
    )
    assert response.headers["Location"] == "/login"


def test_matching_step_accepts_only_the_window():
    secret = totp.new_secret()
    now = 1_800_000_000
    assert totp.matching_step(secret, totp.code_for(secret, now), now) == now // 30
    assert totp.matching_step(secret, totp.code_for(secret, now - 30), now) == now // 30 - 1
    assert totp.matching_step(secret, totp.code_for(secret, now - 300), now) is None
    assert totp.matching_step(secret, "12ab56", now) is None


# -- registration, resets, invitations -------------------------------------------------------------


def _register(client, **fields):
    data = {"role": "expert", "name": "Bilal Haddad", "email": "bilal@test.example", **fields}
    return client.post("/register", data=data)


def test_donors_and_experts_register_through_an_emailed_link_and_start_unvetted(client):
    response = _register(client, nationality="LBN")
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    # No account until the address is proven.
    assert auth.find_user_by_email(db.session(), "bilal@test.example") is None
    message = last_mail("bilal@test.example")
    assert message.kind == "registration_link"
    link = link_in(message)
    assert client.get(link).status_code == 200
    short = client.post(link, data={"password": "elevenchars", "confirm": "elevenchars"})
    assert short.status_code == 200
    assert auth.find_user_by_email(db.session(), "bilal@test.example") is None
    finished = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert finished.status_code == 302 and finished.headers["Location"].endswith("/dashboard")
    user = auth.find_user_by_email(db.session(), "bilal@test.example")
    assert user.role == "expert" and not user.is_vetted and user.state_iso3 == "LBN"
    assert user.name == "Bilal Haddad"
    client.post("/logout")
    again = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_registering_a_known_address_says_nothing_and_tells_its_owner(client, factory):
    owner = factory.user("donor", email="taken@test.example")
    response = _register(client, email="taken@test.example")
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    assert "already" not in response.get_data(as_text=True)
    assert last_mail(owner.email).kind == "registration_exists"


def test_a_tampered_or_expired_registration_link_is_refused(client, app):
    _register(client)
    link = link_in(last_mail("bilal@test.example"))
    assert client.get(link + "x").status_code == 400
    app.config["REGISTRATION_MAX_AGE"] = -1
    try:
        assert client.get(link).status_code == 400
    finally:
        app.config["REGISTRATION_MAX_AGE"] = 2 * 24 * 3600


@pytest.mark.parametrize("role", ["secretariat", "admin", "applicant", "committee", "auditor"])
def test_nobody_registers_into_a_higher_role(client, role):
    response = _register(client, role=role, email="m@test.example")
    assert response.status_code == 200
    assert last_mail("m@test.example") is None
    with pytest.raises(Exception, match="only donors and experts"):
        auth.request_registration(db.session(), email="m@test.example", name="M", role=role)
    with pytest.raises(Exception, match="only donors and experts"):
        auth.register(db.session(), email="m@test.example", name="M", password=PASSWORD, role=role)
    # Even a link signed with the site's key is good only for a self-registration role.
    from app.auth import tokens

    forged = tokens.sign("register", {"email": "m@test.example", "role": role})
    assert client.get(f"/register/{forged}").status_code == 400


def test_password_reset_by_emailed_link_works_once(client, factory):
    user = factory.user("donor", password=PASSWORD)
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    link = link_in(last_mail(user.email))
    assert client.get(link).status_code == 200
    response = client.post(
        link, data={"password": "my new passphrase!", "confirm": "my new passphrase!"}
    )
    assert response.status_code == 302
    assert sign_in(client, user.email, "my new passphrase!").status_code == 302
    client.post("/logout")
    again = client.post(
        link, data={"password": "another passphrase!", "confirm": "another passphrase!"}
    )
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_reset_request_does_not_reveal_unknown_addresses(client):
    response = client.post(
        "/password/forgot", data={"email": "nobody@test.example"}, follow_redirects=True
    )
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert last_mail("nobody@test.example") is None


def test_invitation_creates_the_invited_role_once(client, factory):
    admin = factory.user("admin")
    _invitation, token = auth.invite(
        db.session(),
        admin,
        email="new.member@test.example",
        role="committee",
        region="weog",
        state_iso3="NLD",
    )
    db.session.commit()
    link = link_in(last_mail("new.member@test.example"))
    assert link == f"/invitation/{token}"
    response = client.post(link, data={"name": "Pieter", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    user = auth.find_user_by_email(db.session(), "new.member@test.example")
    assert (user.role, user.region, user.state_iso3) == ("committee", "weog", "NLD")
    assert user.is_vetted
    assert (
        client.post(
            link, data={"name": "Again", "password": PASSWORD, "confirm": PASSWORD}
        ).status_code
        == 400
    )


def test_expired_invitation_is_refused(client, factory, app):
    admin = factory.user("admin")
    _invitation, token = auth.invite(db.session(), admin, email="late@test.example", role="donor")
    db.session.commit()
    app.config["INVITATION_MAX_AGE"] = -1
    try:
        response = client.get(f"/invitation/{token}")
    finally:
        app.config["INVITATION_MAX_AGE"] = 7 * 24 * 3600
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("change", ["deactivated", "moved"])
def test_an_invitation_ends_with_its_inviters_power_to_invite(client, factory, change):
    admin = factory.user("admin")
    officer = factory.user("secretariat")
    _invitation, token = auth.invite(
        db.session(), officer, email="accomplice@test.example", role="applicant", state_iso3="FJI"
    )
    db.session.commit()
    if change == "deactivated":
        auth.set_active(db.session(), admin, officer, False)
    else:
        auth.change_role(db.session(), admin, officer, role="expert", state_iso3="SEN", region=None)
    db.session.commit()
    response = client.post(
        f"/invitation/{token}", data={"name": "A", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 400 and "no longer valid" in response.get_data(as_text=True)
    assert auth.find_user_by_email(db.session(), "accomplice@test.example") is None


def test_tampered_invitation_link_is_refused(client):
    assert client.get("/invitation/not-a-real-token").status_code == 400


def test_secretariat_cannot_invite_staff_roles(factory):
    secretariat = factory.user("secretariat")
    for role in ("auditor", "admin", "secretariat"):
        with pytest.raises(Exception, match="may not invite"):
            auth.invite(db.session(), secretariat, email=f"{role}@test.example", role=role)
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(client, factory, csrf):
    user = factory.user("donor")
    login(client, user)
    before = user.name
    response = client.post("/account", data={"name": "Changed by a forged form"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.name == before


def test_api_token_created_on_the_account_page_is_shown_once(client, factory, csrf):
    user = factory.user("donor", password=PASSWORD)
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post(
        "/account/tokens", data={"name": "script", "password": "not it", "csrf_token": csrf}
    )
    assert "Your password is not correct." in refused.get_data(as_text=True)
    assert not auth.api_tokens_of(db.session(), user)
    response = client.post(
        "/account/tokens", data={"name": "script", "password": PASSWORD, "csrf_token": csrf}
    )
    token = re.search(r'id="new-token">(sptf_[^<]+)<', response.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    "event",
    ["password_change", "password_reset", "totp_reset", "deactivation", "role_change"],
)
def test_tokens_end_when_the_accounts_access_changes(client, factory, event):
    """A token minted by whoever held the account (a stolen session, a leaked password) does
    not outlive a new password, a reset second factor, deactivation or a new role."""
    admin = factory.user("admin")
    user = factory.user("secretariat" if event == "totp_reset" else "expert", password=PASSWORD)
    token = factory.token(user)
    me = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=me).status_code == 200
    if event == "password_change":
        auth.change_password(db.session(), user, PASSWORD, "a brand new passphrase 42")
    elif event == "password_reset":
        auth.set_password(db.session(), user, "a brand new passphrase 42")
    elif event == "totp_reset":
        auth.reset_totp(db.session(), admin, user)
    elif event == "deactivation":
        auth.set_active(db.session(), admin, user, False)
    else:
        auth.change_role(db.session(), admin, user, role="donor", state_iso3="CHE", region=None)
    db.session.commit()
    assert client.get("/api/v1/me", headers=me).status_code == 401
    assert all(not t.is_active for t in auth.api_tokens_of(db.session(), user))


def test_a_token_does_not_skip_two_factor_after_a_promotion(client, factory):
    expert = factory.user("expert", password=PASSWORD)
    token = {"Authorization": f"Bearer {factory.token(expert)}"}
    # Even a token made after the promotion (by the CLI, say) waits for TOTP enrolment.
    auth.change_role(
        db.session(),
        factory.user("admin"),
        expert,
        role="secretariat",
        state_iso3="CHE",
        region=None,
    )
    db.session.commit()
    assert client.get("/api/v1/experts", headers=token).status_code == 401
    later = {"Authorization": f"Bearer {factory.token(expert)}"}
    assert client.get("/api/v1/experts", headers=later).status_code == 401


def test_the_outbox_never_shows_a_reset_or_invitation_link(client, factory):
    # The staff who read the outbox could otherwise set the focal point's password, or accept
    # an invitation to a role they were not given.
    focal_point = factory.user("applicant", state="FJI")
    admin = factory.user("admin")
    client.post("/password/forgot", data={"email": focal_point.email})
    auth.invite(db.session(), admin, email="new-admin@test.example", role="admin")
    db.session.commit()
    for reader in ("auditor", "secretariat", "admin"):
        login(client, factory.user(reader))
        page = client.get("/admin/outbox").get_data(as_text=True)
        assert "/password/reset/" not in page and "/invitation/" not in page
        assert "Holds a personal link" in page
        client.post("/logout")


def test_a_personal_link_is_dropped_once_the_mail_server_has_it(factory, app):
    user = factory.user("donor")
    with smtp_server(app) as inbox:
        auth.request_password_reset(db.session(), user.email)
        db.session.commit()
        assert mail.deliver_committed(db.session()) == 1
    message = last_mail(user.email)
    assert message.sent_at is not None and "/password/reset/" not in message.body
    assert any(b"/password/reset/" in raw for raw in inbox.messages)
