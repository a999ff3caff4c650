"""A committee member cannot reach the dashboard without a valid TOTP code (headless Chromium)."""

import pytest
from playwright.sync_api import Page, expect

from app.auth import services as auth
from app.auth import totp
from app.extensions import db
from tests.conftest import ARTIFACTS
from tests.factories import PASSWORD, totp_secret_for

pytestmark = [pytest.mark.browser, pytest.mark.live]


def _committee_member(live_server) -> str:
    email = "browser.committee@test.example"
    with live_server.app.app_context():
        user = auth.find_user_by_email(db.session(), email)
        if user is None:
            user = auth.create_user(
                db.session(),
                email=email,
                role="committee",
                region="grulac",
                state_iso3="JAM",
                name="Lucía Fernández",
                password=PASSWORD,
            )
            secret = totp_secret_for(email)
            auth.confirm_totp_enrolment(db.session(), user, secret, totp.code_for(secret))
            user.totp_last_counter = None
            db.session.commit()
    return email


def _password_step(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_committee_member_needs_totp_to_reach_the_dashboard(page: Page, live_server):
    base = live_server.url
    email = _committee_member(live_server)
    _password_step(page, base, email)
    expect(page).to_have_url(f"{base}/login/verify")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()

    # The password alone is not a session: the dashboard sends us back to sign in.
    page.goto(f"{base}/dashboard")
    expect(page).to_have_url(f"{base}/login?next=%2Fdashboard")

    _password_step(page, base, email)
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.locator("#code-error")).to_contain_text("That code is not valid")
    expect(page.get_by_role("alert")).to_be_visible()
    page.goto(f"{base}/dashboard")
    expect(page).to_have_url(f"{base}/login?next=%2Fdashboard")

    _password_step(page, base, email)
    page.get_by_label("6-digit code").fill(totp.code_for(totp_secret_for(email)))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page).to_have_url(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Advisory committee")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "committee-dashboard-after-totp.png"), full_page=True)
