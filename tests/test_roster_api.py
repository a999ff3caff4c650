"""The roster through the JSON API: register → vet → match → propose → accept → consent →
report → complete → pay (two officers) → rate (design.md §5.2)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import services as auth
from app.core.database import today
from app.deployments.models import Deployment
from app.experts.models import Expert
from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.roster import matching
from tests import builders
from tests.factories import bearer


@pytest.fixture
def world(factory):
    staff = factory.user("secretariat")
    checker = factory.user("secretariat")
    board = builders.committee(factory, staff)
    fiji = factory.user("applicant", state="FJI")
    grant = builders.expert_grant(factory, staff, board, fiji)
    expert = factory.user("expert", state="SEN", name="Aminata Diop")
    fijian = builders.expert(factory, state="FJI", themes=("torture",), languages=("en",))
    return {
        "grant": grant,
        "staff": staff,
        "fiji": fiji,
        "expert": expert,
        "fijian": fijian,
        "tokens": {
            "staff": factory.token(staff),
            "checker": factory.token(checker),
            "fiji": factory.token(fiji),
            "malawi": factory.token(factory.user("applicant", state="MWI")),
            "expert": factory.token(expert),
            "other_expert": factory.token(factory.user("expert")),
            "donor": factory.token(factory.user("donor")),
        },
    }


def call(client, method, path, token, json=None):
    return client.open(f"/api/v1{path}", method=method, headers=bearer(token), json=json)


PROFILE = {
    "languages": ["fr", {"code": "en", "level": "fluent"}],
    "themes": ["torture", "persons-deprived-liberty"],
    "mechanisms": ["CAT", "SPT"],
    "years_experience": 18,
    "daily_rate": "600",
    "currency": "USD",
    "current_position": "Former member of the Subcommittee on Prevention of Torture",
}


def test_the_whole_roster_journey_through_the_api(client, world):
    t = world["tokens"]
    start = today() + timedelta(days=1)
    end = start + timedelta(days=4)
    profile = {
        **PROFILE,
        "availability": [
            {"start": today().isoformat(), "end": (today() + timedelta(days=200)).isoformat()}
        ],
    }
    put = call(client, "PUT", "/experts/me", t["expert"], profile)
    assert put.status_code == 200, put.get_json()
    body = put.get_json()
    assert body["status"] == "applied" and body["nationality"] == "SEN"
    assert {lang["code"]: lang["level"] for lang in body["languages"]} == {
        "en": "fluent",
        "fr": "working",
    }
    expert_id = body["id"]

    assert (
        call(
            client, "POST", f"/experts/{expert_id}/vet", t["expert"], {"outcome": "active"}
        ).status_code
        == 403
    )
    vetted = call(client, "POST", f"/experts/{expert_id}/vet", t["staff"], {"outcome": "active"})
    assert vetted.get_json() == {"status": "active"}

    grant_id = world["grant"].id
    found = call(
        client,
        "GET",
        f"/experts?for_grant={grant_id}&available_from={start}&available_to={end}",
        t["staff"],
    ).get_json()
    ids = [item["id"] for item in found["items"]]
    assert expert_id in ids and world["fijian"].id not in ids
    match = found["items"][ids.index(expert_id)]
    assert match["score"] == sum(p["points"] for p in match["score_parts"]) > 0
    assert {p["label"] for p in match["score_parts"]} >= {"Themes", "Languages", "Past ratings"}

    proposed = call(
        client,
        "POST",
        f"/grants/{grant_id}/deployments",
        t["staff"],
        {
            "expert_id": expert_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "person_days": 5,
            "travel_budget": "1200",
        },
    )
    assert proposed.status_code == 201, proposed.get_json()
    deployment = proposed.get_json()
    assert deployment["status"] == "proposed" and deployment["fee"] == "3000.00"
    d = deployment["id"]

    assert (
        call(client, "POST", f"/deployments/{d}/accept", t["other_expert"], {}).status_code == 404
    )
    assert call(client, "POST", f"/deployments/{d}/accept", t["expert"], {}).get_json() == {
        "status": "accepted"
    }
    assert (
        call(
            client,
            "POST",
            f"/deployments/{d}/consent",
            t["malawi"],
            {"official_name": "X", "official_title": "Y"},
        ).status_code
        == 404
    )
    consent = call(
        client,
        "POST",
        f"/deployments/{d}/consent",
        t["fiji"],
        {"official_name": "Mere Tuilagi", "official_title": "Solicitor-General"},
    )
    assert consent.get_json() == {"status": "scheduled"}

    # The mission starts tomorrow: the report waits.
    early = call(
        client,
        "POST",
        f"/deployments/{d}/report",
        t["expert"],
        {"summary": "Trained 40 prison officers in Suva."},
    )
    assert early.status_code == 409
    row = db.session.get(Deployment, d)
    row.start_date = today()
    db.session.commit()
    reported = call(
        client,
        "POST",
        f"/deployments/{d}/report",
        t["expert"],
        {
            "summary": "Trained 40 prison officers in Suva.",
            "recommendations_state": "Adopt the draft regulation.",
        },
    )
    assert reported.get_json() == {"status": "reported"}
    assert call(
        client, "POST", f"/deployments/{d}/review", t["staff"], {"outcome": "completed"}
    ).get_json() == {"status": "completed"}

    fee = call(
        client, "POST", f"/deployments/{d}/payments", t["staff"], {"kind": "fee", "amount": "3000"}
    )
    assert fee.status_code == 201 and fee.get_json()["kind"] == "expert_fee"
    own = call(client, "POST", f"/disbursements/{fee.get_json()['id']}/approve", t["staff"], {})
    assert own.status_code == 403
    paid = call(
        client,
        "POST",
        f"/disbursements/{fee.get_json()['id']}/approve",
        t["checker"],
        {"payment_reference": "BNK-9"},
    )
    assert paid.get_json()["status"] == "paid"
    transaction = db.session.get(LedgerTransaction, paid.get_json()["transaction_id"])
    # The ledger names the mission, never the expert: donors read the memos.
    assert transaction.grant_id == grant_id and "Aminata Diop" not in transaction.memo
    assert "expert_fee for DEP-" in transaction.memo

    rated = call(
        client,
        "POST",
        f"/deployments/{d}/rating",
        t["fiji"],
        {"rating": 5, "comment": "Very useful"},
    )
    assert rated.get_json() == {"status": "completed", "rating": 5}

    grant = call(client, "GET", f"/grants/{grant_id}", t["staff"]).get_json()
    assert grant["deployments"][0]["expert"] == "Aminata Diop"
    for_donor = call(client, "GET", f"/grants/{grant_id}", t["donor"]).get_json()
    assert "expert" not in for_donor["deployments"][0]  # donors see the mission, not the person


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"availability": [{"start": "2031-05-10", "end": "2031-05-01"}]}, "availability"),
        ({"languages": ["klingon"]}, "languages"),
        ({"themes": ["astrology"]}, "themes"),
        ({"years_experience": -1}, "years_experience"),
        ({"daily_rate": "12.345"}, "daily_rate"),
    ],
)
def test_bad_profile_input_answers_422_and_saves_nothing(client, world, change, field):
    t = world["tokens"]
    response = call(client, "PUT", "/experts/me", t["expert"], {**PROFILE, **change})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    expert = db.session.execute(
        select(Expert).where(Expert.user_id == world["expert"].id)
    ).scalar_one_or_none()
    assert expert is None or (expert.languages == [] and expert.years_experience is None)


def test_unknown_fields_and_wrong_types_are_refused(client, world):
    t = world["tokens"]
    unknown = call(client, "PUT", "/experts/me", t["expert"], {"salary": 1})
    assert unknown.status_code == 422 and "salary" in unknown.get_json()["error"]["fields"]
    wrong = call(client, "PUT", "/experts/me", t["expert"], {"years_experience": "ten"})
    assert wrong.status_code == 422 and "years_experience" in wrong.get_json()["error"]["fields"]
    not_json = client.put("/api/v1/experts/me", headers=bearer(t["expert"]), data="{oops")
    assert not_json.status_code == 400


def test_bad_deployment_requests(client, world, factory):
    t = world["tokens"]
    expert = builders.expert(factory)
    grant_id = world["grant"].id
    base = {
        "expert_id": expert.id,
        "start": today().isoformat(),
        "end": today().isoformat(),
        "person_days": 1,
    }
    assert (
        call(
            client,
            "POST",
            f"/grants/{grant_id}/deployments",
            t["staff"],
            {**base, "person_days": 0},
        ).status_code
        == 422
    )
    assert (
        call(
            client, "POST", f"/grants/{grant_id}/deployments", t["staff"], {**base, "start": "soon"}
        ).status_code
        == 422
    )
    assert (
        call(
            client,
            "POST",
            f"/grants/{grant_id}/deployments",
            t["staff"],
            {**base, "expert_id": world["fijian"].id},
        ).status_code
        == 422
    )
    assert (
        call(
            client,
            "POST",
            f"/grants/{grant_id}/deployments",
            t["staff"],
            {**base, "expert_id": 999999},
        ).status_code
        == 404
    )
    assert call(client, "GET", "/experts?available_from=tomorrow", t["staff"]).status_code == 422
    assert call(client, "GET", "/experts?for_grant=abc", t["staff"]).status_code == 422
    assert db.session.scalars(select(Deployment)).all() == []
    created = call(client, "POST", f"/grants/{grant_id}/deployments", t["staff"], base).get_json()
    # A transition not allowed from the current status is a 409.
    review = call(
        client, "POST", f"/deployments/{created['id']}/review", t["staff"], {"outcome": "completed"}
    )
    assert review.status_code == 409
    assert (
        call(
            client, "POST", f"/deployments/{created['id']}/review", t["staff"], {"outcome": "great"}
        ).status_code
        == 422
    )


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/experts/me",
        "/api/v1/experts/{expert_id}/vet",
        "/api/v1/experts",
        "/api/v1/grants/{grant_id}/deployments",
        "/api/v1/deployments/{deployment_id}/accept",
        "/api/v1/deployments/{deployment_id}/consent",
        "/api/v1/deployments/{deployment_id}/report",
        "/api/v1/deployments/{deployment_id}/review",
    ):
        assert path in paths, path
    assert "put" in paths["/api/v1/experts/me"]


def test_the_state_consents_with_the_body_design_gives(client, world, factory):
    """design.md §5.2 gives consent no body: the signed-in focal point's name and role are kept."""
    t = world["tokens"]
    expert = builders.expert(factory, state="GHA")
    start = today() + timedelta(days=40)
    proposed = call(
        client,
        "POST",
        f"/grants/{world['grant'].id}/deployments",
        t["staff"],
        {
            "expert_id": expert.id,
            "start": start.isoformat(),
            "end": (start + timedelta(days=2)).isoformat(),
            "person_days": 3,
        },
    ).get_json()
    expert_token = factory.token(expert.user)
    accept = call(client, "POST", f"/deployments/{proposed['id']}/accept", expert_token)
    assert accept.get_json() == {"status": "accepted"}
    consent = call(client, "POST", f"/deployments/{proposed['id']}/consent", t["fiji"])
    assert consent.get_json() == {"status": "scheduled"}
    deployment = db.session.get(Deployment, proposed["id"])
    assert deployment.consented_by_id == world["fiji"].id
    assert deployment.consent_name == world["fiji"].name
    assert deployment.consent_title == "Focal point, Fiji"


def test_matching_for_a_grant_without_dates_leaves_out_busy_experts(client, world, factory):
    t = world["tokens"]
    grant = world["grant"]
    free = builders.expert(factory, state="GHA", themes=("torture",), languages=("en",))
    busy = builders.expert(factory, state="SEN", themes=("torture",), languages=("en",))
    start, _end = matching.mission_window(grant, None, None)
    builders.deployment(grant, busy, world["staff"], start=start, status="accepted")
    found = call(client, "GET", f"/experts?for_grant={grant.id}", t["staff"]).get_json()
    ids = {item["id"] for item in found["items"]}
    assert free.id in ids and busy.id not in ids and world["fijian"].id not in ids


def test_an_expert_whose_account_is_deactivated_is_refused_with_a_422(client, world, factory):
    expert = builders.expert(factory)
    auth.set_active(db.session(), factory.user("admin"), expert.user, False)
    db.session.commit()
    start = today() + timedelta(days=5)
    response = call(
        client,
        "POST",
        f"/grants/{world['grant'].id}/deployments",
        world["tokens"]["staff"],
        {
            "expert_id": expert.id,
            "start": start.isoformat(),
            "end": start.isoformat(),
            "person_days": 1,
        },
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "account is deactivated" in error["message"] and error["fields"] == {
        "expert": "account deactivated"
    }
    assert db.session.scalars(select(Deployment)).all() == []
