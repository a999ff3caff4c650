"""The public project pages, and that no public page or file leaks what is not published:
rejected or reviewed requests, votes, comments, reports not accepted, unpublished stories,
or anyone's name."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.auth.models import User
from app.committee import ballots
from app.core.database import today
from app.core.roles import Region
from app.extensions import db
from app.grants import services as grants
from app.reports import services as reports
from app.reports import stories
from app.reports.services import ReportContent
from tests import builders
from tests.test_transparency import rejected_request

LEAKS = (
    "LEAK-rejected-title",
    "LEAK-rejected-summary",
    "LEAK-review-title",
    "LEAK-review-summary",
    "LEAK-vote-comment",
    "LEAK-discussion-post",
    "LEAK-submitted-achievements",
    "LEAK-submitted-indicator",
    "LEAK-submitted-evidence",
    "LEAK-draft-achievements",
    "LEAK-draft-indicator",
    "LEAK-draft-story",
    "LEAK-waiting-story",
    "LEAK-unsigned-title",
    # what an accepted report says beyond its figures stays with the fund
    "From the training register",
    "Standing orders, 2027 edition",
    "Two hundred officers trained; the standing orders were revised.",
    # the officials who signed and consented
    "A. Official",
    "Permanent Secretary",
)


@dataclass
class World:
    board: builders.Committee
    grant: Any
    waiting: Any
    rejected: Any
    reviewed: Any
    story: Any
    hidden_stories: list[Any]


def content(report: Any, tag: str, *, actual: str, status: str) -> ReportContent:
    application = report.grant.application
    return ReportContent(
        achievements=f"LEAK-{tag}-achievements: the work went on.",
        challenges="Staff turnover.",
        indicators={i.id: (actual, f"LEAK-{tag}-indicator") for i in application.indicators},
        recommendations={
            r.id: (status, f"LEAK-{tag}-evidence") for r in application.recommendations
        },
    )


@pytest.fixture
def world(factory) -> World:
    session = db.session()
    staff, checker = factory.user("secretariat"), factory.user("secretariat")
    board = builders.committee(factory, staff)
    builders.donate(factory, staff, "200000")
    fiji = factory.user("applicant", state="FJI")
    grant = builders.active_grant(factory, staff, board, fiji, title="Prison reform in Fiji")
    release = grants.create_disbursement(session, staff, grant, "3000")
    grants.approve_disbursement(session, checker, release, "BNK-LEAK-1")
    nepal = factory.user("applicant", state="NPL")
    waiting = builders.approved_grant(factory, staff, board, nepal, title="LEAK-unsigned-title")
    jamaica = factory.user("applicant", state="JAM")
    rejected = rejected_request(jamaica, staff, board, "LEAK-rejected-title")
    rejected.summary = "LEAK-rejected-summary"
    reviewed = builders.application(jamaica, "in_review", secretariat=staff)
    reviewed.title, reviewed.summary = "LEAK-review-title", "LEAK-review-summary"
    ballots.cast_vote(session, board.member(Region.WEOG), reviewed, "reject", "LEAK-vote-comment")
    ballots.post_to_discussion(
        session, board.member(Region.AFRICAN), reviewed, "LEAK-discussion-post"
    )
    db.session.commit()
    # Reports: the interim accepted; the final submitted, in review; an extra one in draft.
    interim = builders.reviewed_report(grant, fiji, staff)  # "120", in progress
    final = builders.report_of(grant, "final")
    reports.submit(
        session, fiji, final, content(final, "submitted", actual="999", status="implemented")
    )
    extra = reports.add_report(session, staff, grant, today() + timedelta(days=40))
    reports.save_draft(
        session, fiji, extra, content(extra, "draft", actual="555", status="implemented")
    )
    db.session.commit()
    story = builders.story(interim, staff, applicant=fiji)
    hidden = []
    for title, ask in (("LEAK-draft-story", False), ("LEAK-waiting-story", True)):
        draft = stories.create(
            session,
            staff,
            interim,
            stories.StoryDraft(
                title=title, text=f"{title}: " + "a story the State has not agreed to. " * 3
            ),
        )
        if ask:
            stories.request_consent(session, staff, draft)
        hidden.append(draft)
    db.session.commit()
    return World(board, grant, waiting, rejected, reviewed, story, hidden)


def people(session: Any) -> list[str]:
    rows = session.execute(select(User.email, User.name)).all()
    return [value for row in rows for value in row if value]


def public_texts(client: Any, world: World) -> dict[str, str]:
    year = today().year
    paths = [
        "/",
        "/fund",
        "/projects",
        f"/projects/{world.grant.reference}",
        "/stories",
        f"/stories/{world.story.id}",
        "/open-data",
        "/open-data/iati.xml",
        "/open-data/360giving.json",
        "/open-data/360giving.csv",
        "/annual-report",
        f"/annual-report?year={year}",
    ]
    texts = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        texts[path] = response.get_data(as_text=True)
    pdf = client.get(f"/annual-report/{year}.pdf")
    assert pdf.status_code == 200
    texts["annual.pdf"] = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    return texts


def test_no_public_page_or_file_leaks(client, world):
    texts = public_texts(client, world)
    secrets = [*LEAKS, world.waiting.reference, world.rejected.reference, world.reviewed.reference]
    secrets += people(db.session())
    for path, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} is on {path}"
    # …while what is published is there.
    assert "Prison reform in Fiji" in texts["/projects"]
    assert world.story.title in texts["/stories"]
    assert world.grant.reference in texts["annual.pdf"]


def test_unpublished_things_have_no_public_page(client, world):
    for path in (
        f"/projects/{world.waiting.reference}",
        f"/projects/{world.rejected.reference}",
        f"/projects/{world.reviewed.reference}",
        "/projects/SPTF-1999-0001",
        "/projects/..%2F..%2Fetc",
        "/projects/" + "X" * 300,
        *(f"/stories/{s.id}" for s in world.hidden_stories),
    ):
        assert client.get(path).status_code == 404, path


def test_a_project_page_shows_what_accepted_reports_say(client, world):
    html = client.get(f"/projects/{world.grant.reference}").get_data(as_text=True)
    application = world.grant.application
    assert "Prison reform in Fiji" in html and world.grant.state.name in html
    assert application.recommendations[0].text in html
    assert "in progress" in html  # the accepted interim report's status, not the final's
    assert ">120<" in html and "999" not in html and "555" not in html
    assert "$3,000.00" in html  # paid, from the ledger
    assert world.story.title in html
    assert f"XM-DAC-41313-{world.grant.reference}" in html


def test_the_list_filters_on_allowed_values_only(client, world):
    html = client.get("/projects").get_data(as_text=True)
    assert "Prison reform in Fiji" in html
    assert "LEAK-unsigned-title" not in html
    assert (
        client.get("/projects?region=asia_pacific")
        .get_data(as_text=True)
        .count("Prison reform in Fiji")
    )
    assert "Prison reform in Fiji" not in client.get("/projects?region=weog").get_data(as_text=True)
    theme = world.grant.application.themes[0].code
    assert "Prison reform in Fiji" in client.get(f"/projects?theme={theme}").get_data(as_text=True)
    # Unknown values are ignored, not errors, and never echoed into the page.
    for query in ("region=<script>", "theme=' OR 1=1 --", "page=abc", "page=-4", "region=&theme="):
        response = client.get(f"/projects?{query}")
        assert response.status_code == 200, query
        assert "Prison reform in Fiji" in response.get_data(as_text=True)
        assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]


def test_the_list_pages_and_totals(client, factory, world):
    staff = factory.user("secretariat")
    builders.donate(factory, staff, "500000")
    for i in range(22):
        applicant = factory.user("applicant", state=["MWI", "JAM", "DEU"][i % 3])
        builders.active_grant(
            factory, staff, world.board, applicant, title=f"Project number {i:02d}"
        )
    first = client.get("/projects").get_data(as_text=True)
    assert "Page 1 of 2 (23 in all)" in first
    assert "Project number 21" in first and "Prison reform in Fiji" not in first  # newest first
    second = client.get("/projects?page=2").get_data(as_text=True)
    assert "Prison reform in Fiji" in second
    western = client.get("/projects?region=weog").get_data(as_text=True)
    assert "Project number 02" in western and "Project number 01" not in western
    assert "7 projects match." in western
    assert "Western European and other States" in first  # a row of the totals by region


def test_signed_in_users_reach_the_public_pages(client, factory, world):
    from tests.factories import login

    login(client, factory.user("donor"))
    html = client.get("/dashboard").get_data(as_text=True)
    for path in ("/projects", "/stories", "/fund", "/annual-report", "/open-data"):
        assert f'href="{path}"' in html, path
        assert client.get(path).status_code == 200, path


def test_the_public_menu_and_home_link_every_public_page(client, world):
    html = client.get("/").get_data(as_text=True)
    nav = html.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for path in ("/fund", "/projects", "/stories", "/annual-report", "/open-data"):
        assert f'href="{path}"' in nav, path
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    for path in ("/projects", "/stories", "/annual-report", "/open-data", "/fund"):
        assert f'href="{path}"' in body, path
    assert "1 project," in body and "1 story" in body
