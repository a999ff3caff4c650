"""List pages and dashboards use a fixed number of SQL statements whatever the data size."""

import pytest

from app.committee import ballots
from app.core import mail
from app.core.roles import Region
from app.extensions import db
from tests import builders
from tests.factories import login


def count_for(client, count_queries, url):
    mail.deliver_committed(db.session())  # the setup's own mail, not this page's work
    db.session.expire_all()  # as in production, the request starts with nothing loaded
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


@pytest.fixture
def world(factory):
    staff = factory.user("secretariat")
    board = builders.committee(factory, staff)
    return staff, board


def grow(factory, staff, board, n):
    for i in range(n):
        applicant = factory.user("applicant", state=["FJI", "MWI", "NPL", "JAM"][i % 4])
        builders.application(applicant, "submitted")
        reviewed = builders.application(applicant, "in_review", secretariat=staff)
        ballots.cast_vote(db.session(), board.member(Region.AFRICAN), reviewed, "approve")
        builders.application(
            applicant,
            "rejected",
            secretariat=staff,
            votes={board.member(r): "reject" for r in (Region.WEOG, Region.GRULAC, Region.AFRICAN)},
        )
    db.session.commit()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("staff", "/applications"),
        ("staff", "/screening"),
        ("staff", "/ballots"),
        ("staff", "/dashboard"),
        ("member", "/ballots"),
        ("member", "/dashboard"),
        ("member", "/applications"),
        ("auditor", "/applications"),
        ("auditor", "/dashboard"),
    ],
)
def test_list_pages_have_a_fixed_query_count(client, factory, count_queries, world, who, url):
    staff, board = world
    user = {
        "staff": staff,
        "member": board.member(Region.AFRICAN),
        "auditor": factory.user("auditor"),
    }[who]
    grow(factory, staff, board, 2)
    login(client, user)
    small = count_for(client, count_queries, url)
    grow(factory, staff, board, 5)
    large = count_for(client, count_queries, url)
    assert large == small, f"{url} went from {small} to {large} queries as the data grew"
    # A dashboard gathers a figure from each part of the fund; a list page needs few.
    assert small <= (20 if url == "/dashboard" else 15)


def test_applicant_dashboard_query_count(client, factory, count_queries):
    applicant = factory.user("applicant", state="FJI")
    builders.application(applicant)
    login(client, applicant)
    small = count_for(client, count_queries, "/dashboard")
    for _ in range(6):
        builders.application(applicant)
    assert count_for(client, count_queries, "/dashboard") == small


# -- money pages -----------------------------------------------------------------------------------


def grow_money(factory, staff, board, n, donor):
    """n more donations from the donor and from others, and n more grants with a paid release."""
    from app.contributions import services as contributions
    from app.grants import services as grants

    second = factory.user("secretariat")
    for i in range(n):
        builders.donate(factory, staff, "50000", donor=donor)
        builders.donate(factory, staff, "20000")
        contributions.record_pledge(db.session(), staff, donor, "1000", "EUR", rate="1.1")
        applicant = factory.user("applicant", state=["FJI", "MWI", "NPL", "JAM"][i % 4])
        grant = builders.active_grant(factory, staff, board, applicant)
        release = grants.create_disbursement(db.session(), staff, grant, "100")
        grants.approve_disbursement(db.session(), second, release, f"BNK-{grant.id}")
    db.session.commit()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("staff", "/grants"),
        ("staff", "/contributions"),
        ("staff", "/ledger"),
        ("staff", "/dashboard"),
        ("auditor", "/ledger"),
        ("auditor", "/grants"),
        ("donor", "/ledger"),
        ("donor", "/contributions"),
        ("donor", "/dashboard"),
        ("donor", "/grants"),
        ("anonymous", "/fund"),
        ("anonymous", "/"),
        ("anonymous", "/projects"),
        ("anonymous", "/projects?region=asia_pacific"),
        ("anonymous", "/annual-report"),
        ("donor", "/projects"),
    ],
)
def test_money_pages_have_a_fixed_query_count(client, factory, count_queries, world, who, url):
    staff, board = world
    donor = factory.user("donor")
    user = {"staff": staff, "auditor": factory.user("auditor"), "donor": donor}.get(who)
    grow_money(factory, staff, board, 2, donor)
    if user is not None:
        login(client, user)
    small = count_for(client, count_queries, url)
    grow_money(factory, staff, board, 4, donor)
    large = count_for(client, count_queries, url)
    assert large == small, f"{url} went from {small} to {large} queries as the data grew"
    assert small <= 20


# -- roster pages ----------------------------------------------------------------------------------


def grow_roster(factory, staff, grant, fiji, n):
    """n more experts on the roster, each with an offer on the grant."""
    from datetime import timedelta

    from app.core.database import today

    for i in range(n):
        expert = builders.expert(
            factory,
            state=["KEN", "SEN", "IND", "BRA", "DEU"][i % 5],
            languages=("en", "fr"),
            rate="100",
        )
        builders.expert(factory, status="applied")
        start = today() + timedelta(days=1 + (i % 30))
        builders.deployment(grant, expert, staff, start=start, days=1, travel="0")
    db.session.commit()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("staff", "/roster"),
        ("staff", "/roster?status=applied"),
        ("staff", "/deployments"),
        ("staff", "/dashboard"),
        ("staff", "/grants/{grant}/experts"),
        ("auditor", "/roster"),
        ("auditor", "/deployments"),
        ("fiji", "/deployments"),
        ("fiji", "/dashboard"),
    ],
)
def test_roster_pages_have_a_fixed_query_count(client, factory, count_queries, world, who, url):
    staff, board = world
    fiji = factory.user("applicant", state="FJI")
    grant = builders.expert_grant(factory, staff, board, fiji)
    user = {"staff": staff, "auditor": factory.user("auditor"), "fiji": fiji}[who]
    url = url.format(grant=grant.id)
    grow_roster(factory, staff, grant, fiji, 2)
    login(client, user)
    small = count_for(client, count_queries, url)
    grow_roster(factory, staff, grant, fiji, 5)
    large = count_for(client, count_queries, url)
    assert large == small, f"{url} went from {small} to {large} queries as the data grew"
    assert small <= 20


def test_expert_pages_query_count(client, factory, count_queries, world):
    staff, board = world
    fiji = factory.user("applicant", state="FJI")
    grant = builders.expert_grant(factory, staff, board, fiji)
    expert = builders.expert(factory, rate="100")
    login(client, expert.user)
    from datetime import timedelta

    from app.core.database import today

    builders.deployment(grant, expert, staff, start=today() + timedelta(days=1), days=1, travel="0")
    counts = {
        url: count_for(client, count_queries, url)
        for url in ("/dashboard", "/deployments", "/experts/me")
    }
    for i in range(5):
        builders.deployment(
            grant, expert, staff, start=today() + timedelta(days=3 + 2 * i), days=1, travel="0"
        )
    for url, small in counts.items():
        assert count_for(client, count_queries, url) == small, url


def test_public_project_page_query_count(client, factory, count_queries, world):
    """A project's page: its recommendations, indicators, accepted reports and stories."""
    staff, board = world
    fiji = factory.user("applicant", state="FJI")
    builders.donate(factory, staff, "100000")
    grant = builders.active_grant(factory, staff, board, fiji)
    interim = builders.reviewed_report(grant, fiji, staff)
    builders.story(interim, staff, applicant=fiji)
    url = f"/projects/{grant.reference}"
    small = count_for(client, count_queries, url)
    final = builders.reviewed_report(grant, fiji, staff, kind="final")
    for _ in range(3):
        builders.story(final, staff, applicant=fiji)
    assert count_for(client, count_queries, url) == small <= 15
