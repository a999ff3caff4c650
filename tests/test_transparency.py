"""Public transparency (design.md §3.5–3.6): the annual report's figures match the ledger for a
year of constructed history, the PDF renders, and neither it nor the public pages show
anything unpublished or personal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from app.auth.models import User
from app.contributions import services as contributions
from app.core.audit import AuditHead
from app.core.database import clock_at, today
from app.core.roles import Region
from app.extensions import db
from app.grants import services as grants
from app.grants.models import DisbursementKind
from app.ledger import services as ledger
from app.reports import services as reports
from app.reports import stories
from app.transparency import annual
from tests import builders
from tests.factories import pdf_text

# -- a year of history ------------------------------------------------------------------------------


@dataclass
class History:
    first: int  # the fund's first year
    year: int  # the year the report is about (last year)
    staff: User
    board: builders.Committee
    fiji: User
    g0: Any  # Malawi's grant, approved and paid in the first year
    g1: Any  # Fiji's grant, approved in the report year
    waiting: Any  # approved in the report year, not accepted by its State
    rejected: Any
    story: Any
    draft_story: Any


def pay(staff: User, checker: User, grant: Any, amount: str, **kind: Any) -> None:
    release = grants.create_disbursement(db.session(), staff, grant, amount, **kind)
    grants.approve_disbursement(db.session(), checker, release, f"BNK-{release.id}")
    db.session.commit()


def rejected_request(applicant: User, staff: User, board: builders.Committee, title: str) -> Any:
    """A request three members of the committee voted down."""
    majority = (Region.WEOG, Region.GRULAC, Region.AFRICAN)
    return builders.application(
        applicant,
        "rejected",
        secretariat=staff,
        votes={board.member(r): "reject" for r in majority},
        title=title,
    )


@pytest.fixture
def history(factory) -> History:
    first, year = today().year - 2, today().year - 1
    session = db.session()
    with clock_at(date(first, 2, 1)):
        staff, checker = factory.user("secretariat"), factory.user("secretariat")
        board = builders.committee(factory, staff)
        donor, other_donor = factory.user("donor"), factory.user("donor")
        builders.donate(factory, staff, "100000", donor=donor)
        malawi = factory.user("applicant", state="MWI")
        g0 = builders.active_grant(factory, staff, board, malawi)  # $20,000.50
        pay(staff, checker, g0, "5000")
    with clock_at(date(year, 3, 1)):
        builders.donate(factory, staff, "50000", donor=other_donor)
        pledge = contributions.record_pledge(session, staff, donor, "10000", "USD")
        fiji = factory.user("applicant", state="FJI")
        wanted = builders.expert_spec(title="Prison officers trained in Fiji")
        g1 = builders.active_grant(
            factory,
            staff,
            board,
            fiji,
            overview=wanted.overview,
            budget=wanted.budget,
            expertise=wanted.expertise,
        )  # $30,000 of which $12,000 for experts
        nepal = factory.user("applicant", state="NPL")
        waiting = builders.approved_grant(
            factory, staff, board, nepal, title="Unsigned agreement in Nepal"
        )
        jamaica = factory.user("applicant", state="JAM")
        rejected = rejected_request(jamaica, staff, board, "Rejected request from Jamaica")
    with clock_at(date(year, 4, 1)):
        contributions.record_pledge_payment(session, staff, pledge, "4000", reference="PL-1")
        pay(staff, checker, g1, "6000")
        pay(staff, checker, g1, "700", kind=DisbursementKind.EXPERT_FEE, payee="An expert")
        expert = builders.expert(factory, state="KEN")
        builders.deployment(
            g1, expert, staff, start=date(year, 5, 4), days=4, status="scheduled", applicant=fiji
        )
        builders.deployment(g1, expert, staff, start=date(year, 6, 1), days=3)  # only offered
    with clock_at(date(year, 11, 16)):
        interim = builders.reviewed_report(g1, fiji, staff)  # accepted, "in_progress"
    with clock_at(date(year, 12, 1)):
        story = builders.story(interim, staff, applicant=fiji)
        draft_story = builders.story(interim, staff)
    # This year: money that the report year must not count.
    builders.donate(factory, staff, "7000", donor=other_donor)
    return History(first, year, staff, board, fiji, g0, g1, waiting, rejected, story, draft_story)


def cents(dollars: str) -> int:
    return int(dollars.replace(".", "")) if "." in dollars else int(dollars) * 100


def test_the_years_money_matches_the_ledger(app, history):
    with app.test_request_context():
        report = annual.build(db.session(), history.year)
    f = report.finances
    assert f.currency == "USD"
    assert f.cash.opening == cents("100000") - cents("5000")
    assert f.cash.received == cents("50000") + cents("4000")
    assert f.cash.paid_states == -cents("6000")
    assert f.cash.paid_experts == -cents("700")
    assert (f.cash.fees, f.cash.refunds, f.cash.other) == (0, 0, 0)
    assert f.cash.closing == f.cash.opening + f.cash.received - cents("6700")
    # The cash at the year's end plus this year's gift is what the ledger holds today.
    assert f.cash.closing + cents("7000") == ledger.position(db.session()).cash
    g0, g1, waiting = history.g0.amount_minor, history.g1.amount_minor, history.waiting.amount_minor
    assert f.commitments.opening == g0 - cents("5000")
    assert f.commitments.new == g1 + waiting
    assert f.commitments.paid == cents("6700")
    assert f.commitments.released == f.commitments.other == 0
    assert f.commitments.closing == f.commitments.opening + f.commitments.new - cents("6700")
    assert f.set_aside_end == f.commitments.closing
    assert f.available_end == f.cash.closing - f.commitments.closing
    assert (f.pledges.made, f.pledges.received, f.pledges.outstanding) == (
        cents("10000"),
        cents("4000"),
        cents("6000"),
    )
    assert f.months_in[2] == cents("50000") and f.months_in[3] == cents("4000")
    assert f.months_out[3] == cents("6700") and sum(f.months_out) == cents("6700")


def test_the_first_year_follows_on_into_the_next(app, history):
    with app.test_request_context():
        before = annual.build(db.session(), history.first)
        after = annual.build(db.session(), history.year)
    assert before.finances.cash.opening == 0
    assert before.finances.cash.closing == after.finances.cash.opening
    assert before.finances.commitments.closing == after.finances.commitments.opening
    assert [g.reference for g in before.approvals.grants] == [history.g0.reference]
    assert before.approvals.by_group[0].key == "ldc" and before.approvals.by_group[0].count == 1
    assert not before.stories and before.recommendations.reported == 0


def test_grants_deployments_recommendations_and_stories_of_the_year(app, history):
    with app.test_request_context():
        report = annual.build(db.session(), history.year)
    a = report.approvals
    assert [g.reference for g in a.grants] == [history.g1.reference]
    assert (a.count, a.amount, a.states) == (1, history.g1.amount_minor, 1)
    # The grant Nepal has not signed is counted, never named.
    assert (a.not_yet_public, a.not_yet_public_amount) == (1, history.waiting.amount_minor)
    regions = {t.key: (t.count, t.amount) for t in a.by_region}
    assert regions["asia_pacific"] == (1, history.g1.amount_minor)
    assert sum(t.count for t in a.by_region) == sum(t.count for t in a.by_group) == 1
    assert {t.key: t.count for t in a.by_group}["sids"] == 1
    assert {t.label for t in a.by_theme} == {t.name for t in history.g1.application.themes}
    # Only the mission Fiji consented to; the open offer is nobody's business yet.
    assert (report.deployments.count, report.deployments.person_days) == (1, 4)
    assert {t.key: t.count for t in report.deployments.by_region}["asia_pacific"] == 1
    recs = report.recommendations
    assert (recs.reported, recs.advanced, recs.implemented) == (1, 1, 0)
    assert {t.key: t.count for t in recs.by_status}["in_progress"] == 1
    assert [s.id for s in report.stories] == [history.story.id]
    assert report.audit.latest_hash == db.session.get(AuditHead, 1).last_hash
    assert not report.provisional


def test_a_report_not_yet_accepted_advances_nothing(app, history):
    final = builders.report_of(history.g1, "final")
    reports.submit(
        db.session(), history.fiji, final, builders.report_content(final, status="implemented")
    )
    db.session.commit()
    with app.test_request_context():
        report = annual.build(db.session(), today().year)
    assert report.recommendations.reported == 0
    assert report.provisional
    reports.review(db.session(), history.staff, final, "accepted")
    db.session.commit()
    with app.test_request_context():
        recs = annual.build(db.session(), today().year).recommendations
    assert (recs.reported, recs.advanced, recs.implemented) == (1, 1, 1)  # in progress → done


def test_the_annual_report_reads_a_fixed_number_of_statements(app, history, count_queries, factory):
    def count() -> int:
        db.session.expire_all()
        with app.test_request_context(), count_queries() as counter:
            annual.build(db.session(), history.year)
        return counter.count

    small = count()
    with clock_at(date(history.year, 6, 1)):
        staff, board = history.staff, history.board
        for state in ("JAM", "SEN"):
            builders.donate(factory, staff, "40000")
            applicant = factory.user("applicant", state=state)
            grant = builders.active_grant(factory, staff, board, applicant)
            builders.story(
                builders.reviewed_report(grant, applicant, staff), staff, applicant=applicant
            )
    assert count() == small == 8


# -- the PDF and its page ------------------------------------------------------------------------------


def test_the_pdf_renders_with_the_years_figures(client, history):
    response = client.get(f"/annual-report/{history.year}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"sptf-annual-report-{history.year}.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for expected in (
        "Annual report",
        str(history.year),
        "Contents",
        "Sources and uses of funds",
        "$54,000.00",  # contributions received in the year
        history.g1.reference,
        "Prison officers trained in Fiji",
        "Prison officers trained in every division",  # the published story
        db.session.get(AuditHead, 1).last_hash[:32],
    ):
        assert expected in text, expected
    for hidden in (
        "Unsigned agreement in Nepal",
        history.waiting.reference,
        "Rejected request from Jamaica",
        "A. Official",
        "Permanent Secretary",
        "An expert",
        "@test.example",
    ):
        assert hidden not in text, hidden


def test_the_page_offers_each_year(client, history):
    page = client.get("/annual-report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{history.year}" selected' in html  # the last full year by default
    assert f"/annual-report/{history.first}.pdf" in html
    chosen = client.get(f"/annual-report?year={history.first}").get_data(as_text=True)
    assert f'value="{history.first}" selected' in chosen
    assert "$100,000.00" in chosen and "$54,000.00" not in chosen  # that year's gifts


@pytest.mark.parametrize(
    "year",
    ["abc", "20x6", "", "-1", "1999", "99999", "<script>", str(today().year + 1), "9999"],
)
def test_a_year_without_a_report_gets_a_clear_answer(client, history, year):
    page = client.get("/annual-report", query_string={"year": year})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert f"from {history.first} to {today().year}" in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_a_pdf_for_no_year_is_not_found(client, history):
    for year in ("1999", "0", "9999", "abc", "2026.5", history.first - 1, today().year + 1):
        assert client.get(f"/annual-report/{year}.pdf").status_code == 404, year


def test_an_empty_fund_has_a_report_for_this_year_only(client):
    assert client.get(f"/annual-report/{today().year}.pdf").status_code == 200
    assert client.get(f"/annual-report/{today().year - 1}.pdf").status_code == 404
    assert client.get("/annual-report").status_code == 200


# -- what the public never sees ------------------------------------------------------------------


def test_stories_in_a_draft_or_waiting_are_not_in_the_report(app, history):
    stories.request_consent(db.session(), history.staff, history.draft_story)
    db.session.commit()
    with app.test_request_context():
        report = annual.build(db.session(), history.year)
    assert [s.id for s in report.stories] == [history.story.id]
