"""The roster's pages: the expert's profile, the secretariat's roster and matching, and a
mission from offer to rating — through the forms, with bad input refused."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.database import today
from app.deployments.models import Deployment, DeploymentStatus
from app.experts.models import Expert, ExpertStatus
from app.extensions import db
from app.grants.models import Disbursement
from tests import builders
from tests.factories import login


@pytest.fixture
def grant(factory, staff, fiji):
    return builders.expert_grant(factory, staff, builders.committee(factory, staff), fiji)


def html(response):
    return response.get_data(as_text=True)


# -- the expert's profile ----------------------------------------------------------------------------


def test_an_expert_fills_in_its_profile(client, factory):
    user = factory.user("expert", state="SEN")
    login(client, user)
    page = client.get("/experts/me")
    assert page.status_code == 200 and "awaiting vetting" in html(page)
    bad = client.post(
        "/experts/me",
        data={
            "nationality": "SEN",
            "years_experience": "ten",
            "daily_rate": "500",
            "currency": "USD",
        },
    )
    assert bad.status_code == 200 and "whole number" in html(bad)
    expert = db.session.execute(select(Expert).where(Expert.user_id == user.id)).scalar_one()
    assert expert.years_experience is None
    ok = client.post(
        "/experts/me",
        data={
            "nationality": "SEN",
            "years_experience": "15",
            "daily_rate": "550",
            "currency": "eur",
            "current_position": "Judge",
        },
    )
    assert ok.status_code == 302
    db.session.refresh(expert)
    assert (expert.years_experience, expert.daily_rate.format()) == (15, "€550.00")

    assert (
        client.post("/experts/me/languages", data={"code": "fr", "level": "native"}).status_code
        == 302
    )
    wrong = client.post("/experts/me/languages", data={"code": "zz", "level": "native"})
    assert wrong.status_code == 200 and "Not a valid choice" in html(wrong)
    assert (
        client.post(
            "/experts/me/expertise", data={"themes": ["torture"], "mechanisms": ["CAT"]}
        ).status_code
        == 302
    )
    later = today() + timedelta(days=30)
    backwards = client.post(
        "/experts/me/availability",
        data={"start": later.isoformat(), "end": today().isoformat()},
    )
    assert backwards.status_code == 200 and "before it starts" in html(backwards)
    assert (
        client.post(
            "/experts/me/availability",
            data={"start": today().isoformat(), "end": later.isoformat()},
        ).status_code
        == 302
    )
    not_a_cv = client.post(
        "/experts/me/cv",
        data={"cv": (io.BytesIO(b"just text, not a document"), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert not_a_cv.status_code == 200 and "not an accepted type" in html(not_a_cv)
    assert (
        client.post(
            "/experts/me/cv",
            data={"cv": (io.BytesIO(builders.PDF), "cv.pdf")},
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    db.session.refresh(expert)
    assert expert.language_codes == ["fr"] and expert.theme_codes == ["torture"]
    assert len(expert.availability) == 1 and expert.cv.original_name == "cv.pdf"
    download = client.get(f"/experts/{expert.id}/cv")
    download.close()
    assert download.status_code == 200 and download.mimetype == "application/pdf"


def test_the_secretariat_vets_from_the_roster_queue(client, factory, staff):
    applied = builders.expert(factory, name="Olena Kovalenko", state="UKR", status="applied")
    login(client, staff)
    queue = client.get("/roster?status=applied")
    assert "Olena Kovalenko" in html(queue)
    refused = client.post(f"/roster/{applied.id}/vet", data={"outcome": "rejected", "note": ""})
    assert refused.status_code == 200 and "say why" in html(refused)
    assert client.post(f"/roster/{applied.id}/vet", data={"outcome": "active"}).status_code == 302
    db.session.refresh(applied)
    assert applied.status_enum is ExpertStatus.ACTIVE
    assert "Olena Kovalenko" in html(client.get("/roster"))
    no_reason = client.post(f"/roster/{applied.id}/deactivate", data={"note": ""})
    assert no_reason.status_code == 200 and "say why" in html(no_reason)


def test_matching_page_shows_scores_and_leaves_out_nationals(client, factory, staff, grant):
    builders.expert(factory, name="Wanjiru Kamau", state="KEN", languages=("en", "sw"))
    builders.expert(factory, name="Josefa Tuilagi", state="FJI")
    login(client, staff)
    start = today() + timedelta(days=5)
    page = client.get(f"/grants/{grant.id}/experts?from={start}&to={start + timedelta(days=4)}")
    body = html(page)
    assert "Wanjiru Kamau" in body and "Josefa Tuilagi" not in body
    assert "score" in body and "Themes" in body and "Propose Wanjiru Kamau" in body


def test_a_mission_through_the_pages(client, factory, staff, grant, fiji):
    second = factory.user("secretariat")
    kenyan = builders.expert(factory, name="Wanjiru Kamau", state="KEN")
    login(client, staff)
    form = client.get(f"/grants/{grant.id}/deployments/new?expert={kenyan.id}")
    assert "Propose Wanjiru Kamau" in html(form)
    start = today()
    terms = {
        "expert": kenyan.id,
        "start": start.isoformat(),
        "end": (start + timedelta(days=2)).isoformat(),
        "person_days": "0",
        "terms_of_reference": "Train the trainers of the prison service on the Mandela Rules.",
        "travel_budget": "800",
    }
    bad = client.post(f"/grants/{grant.id}/deployments/new", data=terms)
    assert bad.status_code == 200 and "at least 1" in html(bad)
    assert db.session.scalars(select(Deployment)).all() == []
    created = client.post(f"/grants/{grant.id}/deployments/new", data={**terms, "person_days": "3"})
    assert created.status_code == 302
    d = db.session.scalars(select(Deployment)).one()

    login(client, kenyan.user)
    detail = client.get(f"/deployments/{d.id}")
    assert "Accept the mission" in html(detail)
    assert client.post(f"/deployments/{d.id}/accept").status_code == 302

    login(client, fiji)
    assert "your consent is needed" in html(client.get("/dashboard"))
    unconfirmed = client.post(
        f"/deployments/{d.id}/consent", data={"name": "Mere Tuilagi", "title": "Minister"}
    )
    assert unconfirmed.status_code == 200 and "Confirm the consent" in html(unconfirmed)
    db.session.refresh(d)
    assert d.status_enum is DeploymentStatus.ACCEPTED
    consented = client.post(
        f"/deployments/{d.id}/consent",
        data={"name": "Mere Tuilagi", "title": "Minister", "confirm": "y"},
    )
    assert consented.status_code == 302

    login(client, kenyan.user)
    assert "Mission reports due" in html(client.get("/dashboard"))
    short = client.post(f"/deployments/{d.id}/report", data={"summary": "Done."})
    assert short.status_code == 200 and "narrative" in html(short)
    filed = client.post(
        f"/deployments/{d.id}/report",
        data={
            "summary": "Trained 40 trainers over three days in Suva and Lautoka.",
            "files": [(io.BytesIO(builders.PDF), "agenda.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert filed.status_code == 302
    db.session.refresh(d)
    assert d.status_enum is DeploymentStatus.REPORTED and d.files[0].original_name == "agenda.pdf"
    attachment = client.get(f"/deployments/{d.id}/files/{d.files[0].id}")
    attachment.close()
    assert attachment.status_code == 200

    login(client, staff)
    no_note = client.post(f"/deployments/{d.id}/review", data={"outcome": "revision_requested"})
    assert no_note.status_code == 200 and "say what the expert should revise" in html(no_note)
    assert (
        client.post(f"/deployments/{d.id}/review", data={"outcome": "completed"}).status_code == 302
    )
    too_much = client.post(f"/deployments/{d.id}/payments", data={"kind": "fee", "amount": "99999"})
    assert too_much.status_code == 200 and "remains to be paid" in html(too_much)
    assert (
        client.post(
            f"/deployments/{d.id}/payments", data={"kind": "fee", "amount": "1500"}
        ).status_code
        == 302
    )
    payment = db.session.scalars(
        select(Disbursement).where(Disbursement.deployment_id == d.id)
    ).one()
    login(client, second)
    assert (
        client.post(
            f"/releases/{payment.id}/approve", data={"payment_reference": "B-1"}
        ).status_code
        == 302
    )
    db.session.refresh(payment)
    assert payment.status == "paid"

    login(client, fiji)
    assert client.post(f"/deployments/{d.id}/rating", data={"rating": "9"}).status_code == 200
    assert (
        client.post(
            f"/deployments/{d.id}/rating", data={"rating": "4", "comment": "Good"}
        ).status_code
        == 302
    )
    db.session.refresh(d)
    assert d.rating == 4


def test_lists_and_dashboards_render_for_each_role(client, factory, staff, grant, fiji):
    kenyan = builders.expert(factory, name="Wanjiru Kamau")
    builders.deployment(grant, kenyan, staff)
    for user, url, text in (
        (staff, "/deployments", "Wanjiru Kamau"),
        (staff, "/dashboard", "Experts to vet"),
        (kenyan.user, "/deployments", grant.state.name),
        (kenyan.user, "/dashboard", "Offers waiting for your answer"),
        (fiji, "/deployments", "Wanjiru Kamau"),
        (factory.user("auditor"), "/roster", "Wanjiru Kamau"),
    ):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200 and text in html(response), (user.role, url)


@pytest.mark.parametrize("number", ["99999999999999999999999", "9223372036854775808", "²", "-1"])
def test_ids_in_query_strings_beyond_a_bigint_are_no_ids(client, staff, grant, number):
    """`?grant=` and `?expert=` read ids as `<int:…>` does in paths: ASCII digits up to the
    largest BIGINT; anything else is no id (the driver overflowed past 2**63 - 1)."""
    login(client, staff)
    assert client.get(f"/deployments?grant={number}").status_code == 200
    new = client.get(f"/grants/{grant.id}/deployments/new?expert={number}")
    assert new.status_code == 302 and new.headers["Location"].endswith(
        f"/grants/{grant.id}/experts"
    )
    posted = client.post(f"/grants/{grant.id}/deployments/new", data={"expert": number})
    assert posted.status_code == 302
    assert db.session.scalars(select(Deployment)).all() == []
