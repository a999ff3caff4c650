"""A transfer is recorded, the State accepts its grant agreement, two officers release the
first tranche, and the donor follows it in the ledger — in headless Chromium."""

import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from app.applications import services as applications
from app.committee import ballots, decisions, screening
from app.core.database import utcnow
from app.core.roles import Region
from app.extensions import db
from tests import builders
from tests.browser import person, screenshots, seated_committee, sign_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.live]
SHOTS = ARTIFACTS / "journey-money"
shot = screenshots(SHOTS)


def save_pdf(page: Page, url: str, name: str) -> None:
    response = page.request.get(url)
    assert response.ok and response.body().startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix(""))], check=True
    )


def test_transfer_acceptance_and_maker_checker_release(browser: Browser, live_server):
    base = live_server.url
    with live_server.app.app_context():
        maker = person("secretariat", state="SEN", name="Amara Diallo")
        checker = person("secretariat", state="CHL", name="Tomás Herrera")
        members = seated_committee(db.session.merge(maker), builders.NATIONALITY)
        donor = person("donor", state="NOR", name="Norwegian Ministry of Foreign Affairs")
        fiji = person("applicant", state="FJI", name="Mere Tuilagi")
        application = applications.create_application(
            db.session(),
            db.session.merge(fiji),
            builders.spec("Disability-inclusive disaster response"),
        )
        applications.submit(db.session(), db.session.merge(fiji), application)
        screening.screen(
            db.session(),
            db.session.merge(maker),
            application,
            "eligible",
            deadline=utcnow() + timedelta(days=7),
        )
        for region in (Region.AFRICAN, Region.ASIA_PACIFIC, Region.WEOG):
            ballots.cast_vote(
                db.session(), db.session.merge(members[region]), application, "approve"
            )
        decisions.close_ballot(
            db.session(), db.session.merge(maker), application
        )  # approved, waiting for funds
        db.session.commit()

    # -- the secretariat records a transfer: the grant is committed at once --------------------
    staff_page = browser.new_page()
    sign_in(staff_page, base, maker)
    staff_page.goto(f"{base}/contributions/new/bank")
    staff_page.get_by_label("Donor's e-mail").fill(donor.email)
    staff_page.get_by_label("Amount", exact=False).first.fill("120000")
    staff_page.get_by_label("Currency").fill("USD")
    staff_page.get_by_label("Bank or pledge reference").fill("NOR-2026-0412")
    staff_page.get_by_role("button", name="Record").click()
    expect(staff_page.get_by_text("Recorded.")).to_be_visible()
    receipt_url = staff_page.get_by_role("link", name="Receipt").get_attribute("href")

    # -- the State accepts the agreement --------------------------------------------------------
    state_page = browser.new_page()
    sign_in(state_page, base, fiji)
    expect(
        state_page.get_by_text("Next step: read and accept the grant agreement.")
    ).to_be_visible()
    state_page.get_by_role("link", name="Disability-inclusive disaster response").last.click()
    grant_url = state_page.url
    save_pdf(state_page, grant_url + "/agreement.pdf", "agreement")
    state_page.get_by_label("Name of the official accepting").fill("Mere Tuilagi")
    state_page.get_by_label("Title and office").fill(
        "Permanent Secretary, Ministry of Foreign Affairs"
    )
    state_page.get_by_label("On behalf of my government").check()
    state_page.get_by_role("button", name="Accept the agreement").click()
    expect(state_page.get_by_text("The agreement is accepted.")).to_be_visible()
    shot(state_page, "01-grant-accepted")

    # -- maker prepares, checker approves -----------------------------------------------------------
    staff_page.goto(grant_url)
    staff_page.get_by_label("Amount to release").fill("12000.30")
    staff_page.get_by_role("button", name="Prepare the release").click()
    expect(staff_page.get_by_text("A second officer must approve it.")).to_be_visible()
    expect(staff_page.get_by_text("You prepared it: another officer approves.")).to_be_visible()
    expect(staff_page.get_by_role("button", name="Approve and pay")).to_have_count(0)

    checker_page = browser.new_page()
    sign_in(checker_page, base, checker)
    checker_page.goto(grant_url)
    checker_page.get_by_label("Payment reference").fill("BNK-2026-7781")
    checker_page.get_by_role("button", name="Approve and pay").click()
    expect(checker_page.get_by_text("Paid: the release is approved")).to_be_visible()
    expect(checker_page.locator(".stat", has_text="Disbursed")).to_contain_text("$12,000.30")
    shot(checker_page, "02-release-paid")

    # -- the donor follows the money ------------------------------------------------------------------
    donor_page = browser.new_page()
    sign_in(donor_page, base, donor)
    donor_page.goto(f"{base}/ledger")
    expect(donor_page.get_by_text("Disbursement").first).to_be_visible()
    expect(donor_page.locator("table.ledger")).to_contain_text("$12,000.30")
    donor_page.get_by_text("Charts").click()
    shot(donor_page, "03-ledger-with-charts")
    save_pdf(donor_page, base + receipt_url, "receipt")
    donor_page.goto(f"{base}/fund")
    expect(donor_page.get_by_text("Available to commit").first).to_be_visible()
    shot(donor_page, "04-fund-overview")
    csv = donor_page.request.get(f"{base}/ledger.csv")
    assert csv.ok and "disbursement" in csv.text()
