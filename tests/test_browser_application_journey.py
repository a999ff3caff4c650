"""Apply → screen → vote → close → decision letter, in headless Chromium through the real
pages (CSRF on, no shortcuts)."""

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from app.core.roles import Region
from tests.browser import person, screenshots, seated_committee, sign_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.live]
SHOTS = ARTIFACTS / "journey-application"
shot = screenshots(SHOTS)


def test_apply_screen_vote_close_and_read_the_decision(browser: Browser, live_server):
    base = live_server.url
    with live_server.app.app_context():
        staff = person("secretariat", state="CHE", name="Amara Diallo")
        members = seated_committee(
            staff,
            {
                Region.AFRICAN: "KEN",
                Region.ASIA_PACIFIC: "IND",
                Region.EASTERN_EUROPEAN: "ROU",
                Region.GRULAC: "JAM",
                Region.WEOG: "NLD",
            },
        )
        applicant = person("applicant", state="JAM", name="Andre Campbell")

    # -- the State drafts and submits ---------------------------------------------------------
    page = browser.new_page()
    sign_in(page, base, applicant)
    page.get_by_role("link", name="Start a new request").click()
    page.get_by_label("Title of the project").fill("Child-friendly justice in family courts")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", name="The project")).to_be_visible()
    page.get_by_label("Summary").fill("Train family court staff on hearing children.")
    page.get_by_label("Objectives").fill("Children are heard in proceedings that affect them.")
    page.get_by_label("Activities").fill("Six training sessions and a practice guide.")
    page.get_by_label("Duration (months)").fill("12")
    page.get_by_label("Implementing national entity").fill("Court Management Services")
    page.get_by_label("Children", exact=True).check()
    page.get_by_label("16. Peace, justice and strong institutions").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    shot(page, "01-application-form")

    page.get_by_role("link", name="Recommendations").click()
    page.get_by_label("Mechanism").select_option("CRC")
    page.get_by_label("Symbol or reference").fill("CRC/C/JAM/CO/3-4, para. 24")
    page.get_by_label("Text of the recommendation").fill(
        "Ensure that children are heard in judicial proceedings."
    )
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Added.")).to_be_visible()

    page.get_by_role("link", name="Results and indicators").click()
    page.get_by_label("Indicator").fill("Court staff trained")
    page.get_by_label("Baseline").fill("0")
    page.get_by_label("Target").fill("150")
    page.get_by_role("button", name="Add").click()

    page.get_by_role("link", name="Budget").click()
    page.get_by_label("Category").select_option("training")
    page.get_by_label("Description").fill("Six training sessions")
    page.locator("#new-amount").fill("12000")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Total requested: $12,000.00")).to_be_visible()
    shot(page, "02-budget")

    page.get_by_role("link", name="Consent").click()
    page.get_by_label("Name of the official").fill("Andre Campbell")
    page.get_by_label("Title and office").fill("Permanent Secretary, Ministry of Justice")
    page.get_by_label("I confirm that the government").check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("The government's consent is recorded.")).to_be_visible()

    page.get_by_role("link", name="Review and submit").click()
    page.get_by_role("button", name="Submit to the fund").click()
    expect(page.get_by_text("Submitted. The secretariat will screen it")).to_be_visible()
    reference = page.locator("h1 + p").inner_text().split(" ")[0]
    application_url = page.url

    # -- the secretariat screens ---------------------------------------------------------------
    staff_page = browser.new_page()
    sign_in(staff_page, base, staff)
    staff_page.get_by_role("link", name="Screening", exact=True).click()
    staff_page.get_by_role("row", name=reference).get_by_role("link", name="Screen").click()
    expect(staff_page.get_by_text("Within the grant ceiling")).to_be_visible()
    staff_page.get_by_label("Eligible — send to the committee").check()
    staff_page.get_by_role("button", name="Record the outcome").click()
    expect(staff_page.get_by_text("Screening recorded: in committee review.")).to_be_visible()

    # -- the committee votes (the Jamaican member is recused) -------------------------------
    for region in (Region.AFRICAN, Region.ASIA_PACIFIC, Region.EASTERN_EUROPEAN, Region.WEOG):
        member_page = browser.new_page()
        sign_in(member_page, base, members[region])
        member_page.get_by_role("link", name="Child-friendly justice in family courts").click()
        member_page.get_by_label("Approve", exact=True).check()
        member_page.get_by_label("Comment (minuted after the close)").fill(
            f"Supported by the {region.label}."
        )
        member_page.get_by_role("button", name="Cast my vote").click()
        expect(member_page.get_by_text("Your vote is recorded.")).to_be_visible()
        if region is Region.WEOG:
            shot(member_page, "03-committee-ballot")
        member_page.close()
    recused_page = browser.new_page()
    sign_in(recused_page, base, members[Region.GRULAC])
    recused_page.get_by_role("link", name="Child-friendly justice in family courts").click()
    expect(recused_page.get_by_text("You are recused from this ballot")).to_be_visible()
    recused_page.close()

    # -- the secretariat closes ----------------------------------------------------------------
    staff_page.goto(application_url.replace(base, base) + "/ballot")
    expect(staff_page.get_by_text("4 of 4 members")).to_be_visible()
    staff_page.get_by_role("button", name="Close and decide").click()
    expect(staff_page.get_by_text("The ballot is closed: approved.")).to_be_visible()
    expect(staff_page.get_by_text("Supported by the African States.")).to_be_visible()
    shot(staff_page, "04-ballot-closed")

    # -- the State reads the decision ------------------------------------------------------------
    page.goto(application_url)
    expect(page.locator(".badge", has_text="approved")).to_be_visible()
    expect(page.get_by_text("Supported by the")).to_have_count(0)
    with page.expect_download() as download_info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = 'd.pdf'; document.body.appendChild(a); a.click(); }",
            application_url + "/decision.pdf",
        )
    pdf_path = SHOTS / "decision-letter.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    shot(page, "05-application-approved")
    _render(pdf_path)


def _render(pdf: Path) -> None:
    """Render the letter to PNG for a human to look at (poppler-utils)."""
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.with_suffix(""))], check=True)
