"""The State writes and submits its interim report; the secretariat asks for a revision, then
accepts it; a success story is drafted, the State consents, and the public reads it — in
headless Chromium."""

import pytest
from playwright.sync_api import Browser, expect

from app.extensions import db
from tests import builders
from tests.browser import screenshots, sign_in
from tests.conftest import ARTIFACTS
from tests.factories import PASSWORD, Factory

pytestmark = [pytest.mark.browser, pytest.mark.live]
SHOTS = ARTIFACTS / "journey-reports"
shot = screenshots(SHOTS)


def test_report_review_and_public_story(browser: Browser, live_server):
    base = live_server.url
    with live_server.app.app_context():
        factory = Factory(db.session)
        staff = factory.user("secretariat", name="Amara Diallo", password=PASSWORD)
        fiji = factory.user("applicant", state="FJI", name="Mere Tuilagi", password=PASSWORD)
        builders.donate(factory, staff)
        grant = builders.active_grant(factory, staff, builders.committee(factory, staff), fiji)
        report_id = builders.report_of(grant).id
        indicator = grant.application.indicators[0]
        recommendation = grant.application.recommendations[0]
        indicator_id, recommendation_id = indicator.id, recommendation.id
        title = grant.application.title
        for user in (staff, fiji):
            db.session.refresh(user)
            db.session.expunge(user)

    # -- the State writes, saves a draft, and submits --------------------------------------------
    state = browser.new_page()
    sign_in(state, base, fiji)
    expect(state.get_by_text("Reports and stories")).to_be_visible()
    state.get_by_role("link", name=f"Interim report — {title}").click()
    state.locator(f"#actual-{indicator_id}").fill("a lot")
    state.get_by_role("button", name="Save the draft").click()
    expect(state.locator(f"#actual-{indicator_id}-error")).to_contain_text("is not one")
    state.locator(f"#actual-{indicator_id}").fill("210")
    state.locator(f"#comment-{indicator_id}").fill("Training register, March")
    state.locator(f"#status-{recommendation_id}").select_option("partially_implemented")
    state.locator(f"#evidence-{recommendation_id}").fill("Revised standing orders, 2027")
    state.get_by_label("Achievements").fill(
        "Two hundred and ten officers trained in all four divisions."
    )
    state.get_by_label("Further needs").fill("Training for the new regional prisons.")
    state.get_by_role("button", name="Save the draft").click()
    expect(state.get_by_text("Your draft is saved.")).to_be_visible()
    shot(state, "01-report-draft")
    state.get_by_role("button", name="Submit the report").click()
    expect(state.get_by_text("Your report is sent to the secretariat.")).to_be_visible()

    # -- the secretariat asks for a revision, then accepts ----------------------------------------
    office = browser.new_page()
    sign_in(office, base, staff)
    office.goto(f"{base}/reports/{report_id}")
    office.get_by_label("Ask the State to revise it").check()
    office.get_by_label("Note to the State").fill("Please add the attendance figures by division.")
    office.get_by_role("button", name="Record the review").click()
    expect(office.get_by_text("The report is now: to be revised.")).to_be_visible()

    state.goto(f"{base}/reports/{report_id}")
    expect(state.get_by_text("Please add the attendance figures by division.")).to_be_visible()
    state.get_by_label("Challenges and obstacles").fill(
        "Divisions: Central 80, Western 70, Northern 40, Eastern 20."
    )
    state.get_by_role("button", name="Submit the report").click()
    expect(state.get_by_text("Your report is sent to the secretariat.")).to_be_visible()

    office.goto(f"{base}/reports/{report_id}")
    office.get_by_label("Accept the report").check()
    office.get_by_role("button", name="Record the review").click()
    expect(office.get_by_text("The report is now: accepted.")).to_be_visible()
    shot(office, "02-report-accepted")

    # -- a story, the State's consent, the public page --------------------------------------------
    office.get_by_role("link", name="Draft a success story").click()
    office.get_by_label("Title").fill("Prison officers trained in every division")
    office.get_by_label("The story").fill(
        "Two hundred and ten prison officers learnt the Nelson Mandela Rules from colleagues "
        "trained as peer trainers, and the revised standing orders now guide every prison."
    )
    office.get_by_label(recommendation.reference, exact=False).check()
    office.get_by_role("button", name="Save the story").click()
    office.get_by_role("button", name="Ask the State for its consent").click()
    expect(office.get_by_text("The State is asked to consent to the story.")).to_be_visible()
    story_url = office.url

    state.goto(story_url)
    state.get_by_label("Name of the official consenting").fill("Mere Tuilagi")
    state.get_by_label("Title and office").fill("Permanent Secretary for Justice")
    state.get_by_label("On behalf of my government").check()
    state.get_by_role("button", name="Consent and publish").click()
    expect(state.get_by_text("the story is published")).to_be_visible()
    state.get_by_role("link", name="See the public page").click()

    public = browser.new_page()
    public.goto(state.url)
    expect(
        public.get_by_role("heading", name="Prison officers trained in every division")
    ).to_be_visible()
    expect(public.locator("main")).not_to_contain_text("Mere Tuilagi")
    shot(public, "03-public-story")
    public.goto(f"{base}/stories")
    expect(
        public.get_by_role("link", name="Prison officers trained in every division")
    ).to_be_visible()
