"""WCAG 2.1 AA on the main pages (design.md §7): axe-core, in headless Chromium, finds nothing.

The live server holds the demo data; each demo person signs in through the real pages and
every main page of its role is checked with axe-core's WCAG 2.0/2.1 A and AA rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from app.applications.models import Application, ApplicationStatus
from app.auth import totp
from app.contributions.models import Contribution
from app.demo.people import DEMO_PASSWORD, PEOPLE, demo_totp_secret
from app.deployments.models import Deployment
from app.experts.models import Expert
from app.extensions import db
from app.grants.models import Grant, GrantStatus
from app.opendata.services import published_grants_query
from app.reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.live]

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
DESKTOP, PHONE = 1280, 390
# WTForms writes a None attribute out as the text "None": `required="None"` makes a field
# required, `aria-invalid="None"` is invalid ARIA.
NONE_ATTRIBUTE = re.compile(r'\s[\w-]+="None"')


def _first(model, *where) -> int:
    found = db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))
    assert found is not None, f"the demo has no {model.__name__} {where}"
    return found


# Each role's main pages; ids are looked up in the demo data inside the live app.
PAGES: dict[str | None, Callable[[], list[str]]] = {
    None: lambda: [
        "/",
        "/login",
        "/register",
        "/password/forgot",
        "/fund",
        "/open-data",
        "/projects",
        f"/projects/{db.session.scalar(published_grants_query().limit(1)).reference}",
        "/stories",
        "/annual-report",
    ],
    "admin": lambda: ["/dashboard", "/admin/users", "/admin/invitations", "/admin/settings"],
    "secretariat": lambda: [
        "/dashboard",
        "/screening",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.SUBMITTED)}/screen",
        "/ballots",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.IN_REVIEW)}/ballot",
        "/committee/seats",
        "/applications",
        "/grants",
        f"/grants/{_first(Grant, Grant.status == GrantStatus.ACTIVE)}",
        "/contributions",
        "/contributions/new/pledge",
        f"/contributions/{_first(Contribution)}",
        "/ledger",
        "/roster",
        f"/roster/{_first(Expert)}",
        f"/grants/{_first(Grant, Grant.status == GrantStatus.ACTIVE)}/experts",
        "/deployments",
        f"/deployments/{_first(Deployment)}",
        "/reports",
        f"/reports/{_first(Report)}",
    ],
    "auditor": lambda: ["/dashboard", "/audit"],
    "committee_african": lambda: [
        "/dashboard",
        "/ballots",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.IN_REVIEW)}/ballot",
    ],
    "applicant_fji": lambda: [
        "/dashboard",
        "/applications",
        "/applications/new",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.DRAFT, Application.state_iso3 == 'FJI')}/edit/overview",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.DRAFT, Application.state_iso3 == 'FJI')}/edit/recommendations",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.DRAFT, Application.state_iso3 == 'FJI')}/edit/budget",
        f"/applications/{_first(Application, Application.status == ApplicationStatus.DRAFT, Application.state_iso3 == 'FJI')}/edit/consent",
        "/grants",
        f"/grants/{_first(Grant, Grant.state_iso3 == 'FJI', Grant.status == GrantStatus.ACTIVE)}",
        "/deployments",
        "/reports",
    ],
    "donor": lambda: ["/dashboard", "/ledger", "/contributions", "/give"],
    "expert": lambda: ["/dashboard", "/deployments", "/experts/me"],
}


def _sign_in(page: Page, base: str, key: str) -> None:
    person = next(p for p in PEOPLE if p.key == key)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if page.url.endswith("/login/verify"):
        page.get_by_label("6-digit code").fill(totp.code_for(demo_totp_secret(person.email)))
        page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(f"{base}/dashboard")


def _describe(violation: dict) -> str:
    nodes = "; ".join(
        f"{' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
        for node in violation["nodes"][:3]
    )
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes) {nodes}"


def test_axe_finds_no_wcag_aa_violations_on_the_main_pages(browser: Browser, live_server):
    base = live_server.url
    with live_server.app.app_context():
        result = live_server.app.test_cli_runner().invoke(args=["demo", "--quiet"])
        assert result.exit_code == 0, result.output
        paths = {key: resolve() for key, resolve in PAGES.items()}
    axe = Axe()
    problems: list[str] = []
    checked = 0
    for key, role_paths in paths.items():
        # axe is injected by evaluate(); the app's CSP rightly forbids such scripts.
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        if key:
            _sign_in(page, base, key)
        for path in role_paths:
            response = page.goto(base + path)
            assert response is not None and response.ok, (
                f"{key} {path}: {response and response.status}"
            )
            where = f"{key or 'anonymous'} {path}"
            for attribute in NONE_ATTRIBUTE.findall(page.content()):
                problems.append(f"{where}: attribute{attribute}")
            for width in DESKTOP, PHONE:
                page.set_viewport_size({"width": width, "height": 900})
                for violation in axe.run(page, options=WCAG_AA).response["violations"]:
                    problems.append(f"{where} at {width}px: {_describe(violation)}")
            # On a phone, wide tables scroll in their own box; the page itself never does.
            page_width = page.evaluate("document.documentElement.scrollWidth")
            if page_width > PHONE:
                problems.append(f"{where}: the page is {page_width}px wide on a {PHONE}px phone")
            page.set_viewport_size({"width": DESKTOP, "height": 900})
            checked += 1
        context.close()
    assert checked >= 40
    assert not problems, "\n".join(problems)
