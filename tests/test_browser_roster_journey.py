"""The secretariat finds an expert for a grant and proposes a mission; the expert accepts;
the State consents; the expert reports; the secretariat completes it — in headless Chromium."""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from app.core.database import today
from app.extensions import db
from tests import builders
from tests.browser import screenshots, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import PASSWORD, Factory

pytestmark = [pytest.mark.browser, pytest.mark.live]
SHOTS = ARTIFACTS / "journey-roster"
shot = screenshots(SHOTS)


def _detached(*objects):
    for obj in objects:
        db.session.refresh(obj)
        db.session.expunge(obj)


def test_propose_accept_consent_report_complete(browser: Browser, live_server):
    base = live_server.url
    with live_server.app.app_context():
        factory = Factory(db.session)
        staff = factory.user("secretariat", name="Amara Diallo", password=PASSWORD)
        board = builders.committee(factory, staff)
        fiji = factory.user("applicant", state="FJI", name="Mere Tuilagi", password=PASSWORD)
        grant = builders.expert_grant(factory, staff, board, fiji)
        kenyan = builders.expert(
            factory,
            user=factory.user("expert", state="KEN", name="Wanjiru Kamau", password=PASSWORD),
            themes=("torture", "persons-deprived-liberty"),
            languages=("en", "sw"),
            years=22,
        )
        builders.expert(factory, state="DEU", name="Jonas Weber", languages=("en",), years=6)
        builders.expert(factory, state="FJI", name="Josefa Vosa")  # a national: never listed
        builders.expert(factory, state="IND", name="Priya Raman", languages=("en", "fr"))
        expert_user = kenyan.user
        grant_id = grant.id
        db.session.commit()
        _detached(staff, fiji, expert_user)

    # -- the secretariat finds and proposes ---------------------------------------------------------
    staff_page = browser.new_page()
    sign_in(staff_page, base, staff)
    staff_page.goto(f"{base}/grants/{grant_id}")
    staff_page.get_by_role("link", name="Find experts").click()
    expect(staff_page.get_by_role("heading", name="Experts for Fiji")).to_be_visible()
    first = today() + timedelta(days=1)
    staff_page.get_by_label("Mission from").fill(first.isoformat())
    staff_page.get_by_label("Mission until").fill((first + timedelta(days=4)).isoformat())
    staff_page.get_by_role("button", name="Search again").click()
    matches = staff_page.locator(".match")
    expect(matches.first).to_contain_text("Wanjiru Kamau")
    expect(staff_page.locator("main")).not_to_contain_text("Josefa Vosa")
    expect(matches.first.locator(".score-table")).to_contain_text("Themes")
    shot(staff_page, "01-matching-with-scores")
    staff_page.get_by_role("link", name="Propose Wanjiru Kamau").click()
    # A mission starting today, so the report can follow in this test.
    staff_page.get_by_label("Mission starts").fill(today().isoformat())
    staff_page.get_by_label("Mission ends").fill((today() + timedelta(days=4)).isoformat())
    staff_page.get_by_label("Person-days").fill("5")
    staff_page.get_by_label("Terms of reference").fill(
        "Train forty trainers of the Fiji Corrections Service on the Nelson Mandela Rules "
        "and review the draft standing orders with the Commissioner's office."
    )
    staff_page.get_by_label("Travel budget").fill("2400")
    staff_page.get_by_role("button", name="Send the offer to the expert").click()
    expect(staff_page.get_by_text("The offer is sent to Wanjiru Kamau.")).to_be_visible()
    deployment_url = staff_page.url

    # -- the expert accepts ----------------------------------------------------------------------------
    expert_page = browser.new_page()
    sign_in(expert_page, base, expert_user)
    expect(expert_page.get_by_text("Offers waiting for your answer")).to_be_visible()
    expert_page.get_by_role("link", name="Fiji:").click()
    expert_page.get_by_role("button", name="Accept the mission").click()
    expect(expert_page.get_by_text("You accepted the mission.")).to_be_visible()

    # -- the State consents ----------------------------------------------------------------------------
    state_page = browser.new_page()
    sign_in(state_page, base, fiji)
    expect(state_page.get_by_text("your consent is needed")).to_be_visible()
    state_page.goto(deployment_url)
    state_page.get_by_label("Name of the official consenting").fill("Mere Tuilagi")
    state_page.get_by_label("Title and office").fill("Permanent Secretary for Justice")
    state_page.get_by_label("On behalf of my government").check()
    state_page.get_by_role("button", name="Give consent").click()
    expect(state_page.get_by_text("the mission is scheduled")).to_be_visible()

    # -- the expert reports ---------------------------------------------------------------------------
    expert_page.goto(deployment_url)
    expert_page.get_by_role("link", name="Write the mission report").click()
    expert_page.get_by_label("Narrative of the mission").fill(
        "Forty trainers from the Corrections Service completed the five-day course."
    )
    expert_page.get_by_label("Recommendations to the State").fill(
        "Adopt the revised standing orders and publish them."
    )
    expert_page.get_by_role("button", name="Send the report to the secretariat").click()
    expect(expert_page.get_by_text("Your mission report is sent")).to_be_visible()

    # -- the secretariat completes ------------------------------------------------------------------
    staff_page.goto(deployment_url)
    staff_page.get_by_label("Accept the report: the mission is completed").check()
    staff_page.get_by_role("button", name="Record the review").click()
    expect(staff_page.locator(".page-head .badge")).to_have_text("completed")
    shot(staff_page, "02-deployment-completed")
    staff_page.goto(f"{base}/roster?theme=torture")
    expect(staff_page.get_by_role("link", name="Wanjiru Kamau")).to_be_visible()
    shot(staff_page, "03-roster")
