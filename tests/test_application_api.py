"""The application, screening, recusal, vote and decision routes of the JSON API."""

import pytest
from sqlalchemy import select

from app.committee.models import Vote
from app.core.roles import Region
from app.extensions import db
from tests import builders
from tests.factories import bearer, login, pdf_text

BODY = {
    "title": "Child-friendly justice",
    "summary": "Train family court staff.",
    "objectives": "Children are heard.",
    "activities": "Six sessions.",
    "themes": ["children", "administration-of-justice"],
    "recommendations": [
        {"mechanism": "CRC", "reference": "CRC/C/JAM/CO/3-4, para. 24", "text": "Hear children."}
    ],
    "sdgs": [16, 5],
    "indicators": [{"name": "Staff trained", "baseline": 0, "target": "150"}],
    "budget": [
        {"category": "experts", "description": "Expert, 15 days", "amount": "7500.00"},
        {"category": "training", "description": "Six sessions", "amount": "12000"},
    ],
    "currency": "USD",
    "duration_months": 12,
    "implementing_entity": "Court Management Services",
    "expertise": {"themes": ["children"], "languages": ["en"], "person_days": 15},
    "consent": {
        "official_name": "Andre Campbell",
        "official_title": "Permanent Secretary",
        "given": True,
    },
}


@pytest.fixture
def cast(factory):
    staff = factory.user("secretariat")
    board = builders.committee(factory, staff, nationality={Region.GRULAC: "JAM"})
    jamaica = factory.user("applicant", state="JAM")
    return {
        "staff": staff,
        "board": board,
        "jamaica": jamaica,
        "tokens": {
            "jamaica": factory.token(jamaica),
            "staff": factory.token(staff),
            "other_state": factory.token(factory.user("applicant", state="FJI")),
            **{region.value: factory.token(user) for region, user in board.members.items()},
        },
    }


def post(client, path, token, json=None):
    return client.post(
        f"/api/v1{path}", json=json if json is not None else {}, headers=bearer(token)
    )


def test_the_whole_journey_through_the_api(client, cast):
    t = cast["tokens"]
    created = post(client, "/applications", t["jamaica"], BODY)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (
        body["status"] == "draft"
        and body["requested_amount"] == "19500.00"
        and body["currency"] == "USD"
    )
    assert body["reference"].startswith("SPTF-")
    app_id = body["id"]

    detail = client.get(f"/api/v1/applications/{app_id}", headers=bearer(t["jamaica"])).get_json()
    assert [r["reference"] for r in detail["recommendations"]] == ["CRC/C/JAM/CO/3-4, para. 24"]
    assert all("id" in r for r in detail["recommendations"] + detail["indicators"])
    assert detail["indicators"][0]["baseline"] == "0"

    assert (
        post(client, f"/applications/{app_id}/submit", t["jamaica"]).get_json()["status"]
        == "submitted"
    )
    screened = post(
        client, f"/applications/{app_id}/screening", t["staff"], {"outcome": "eligible", "note": ""}
    )
    assert screened.get_json() == {"status": "in_review"}

    # the GRULAC member is Jamaican: recused automatically
    refused = post(client, f"/applications/{app_id}/votes", t["grulac"], {"choice": "approve"})
    assert refused.status_code == 403
    for region, choice in (
        ("african", "approve"),
        ("asia_pacific", "approve"),
        ("eastern_european", "reject"),
        ("weog", "approve"),
    ):
        response = post(
            client, f"/applications/{app_id}/votes", t[region], {"choice": choice, "comment": ""}
        )
        assert response.status_code == 200, response.get_json()
    changed = post(client, f"/applications/{app_id}/votes", t["weog"], {"choice": "abstain"})
    assert changed.get_json() == {"choice": "abstain", "changes": 1}

    ballot = client.get(
        f"/api/v1/applications/{app_id}/ballot", headers=bearer(t["african"])
    ).get_json()["ballot"]
    assert all("choice" not in m for m in ballot["members"]) and ballot["tally"] is None

    decision = post(client, f"/applications/{app_id}/decision", t["staff"], {})
    assert decision.status_code == 200
    decided = decision.get_json()
    grant_id = decided.pop("grant_id")
    assert decided == {
        "status": "approved",
        "tally": {"approve": 2, "reject": 1, "abstain": 1, "recused": 1},
        "approved_amount": "19500.00",
    }
    # The fund holds nothing yet, so the new grant waits for money.
    grant = client.get(f"/api/v1/grants/{grant_id}", headers=bearer(t["staff"])).get_json()
    assert grant["status"] == "awaiting_funds" and grant["committed"] == "0.00"
    ballot = client.get(
        f"/api/v1/applications/{app_id}/ballot", headers=bearer(t["african"])
    ).get_json()["ballot"]
    assert {m["choice"] for m in ballot["members"] if m["voted"]} == {
        "approve",
        "reject",
        "abstain",
    }
    seen_by_state = client.get(
        f"/api/v1/applications/{app_id}", headers=bearer(t["jamaica"])
    ).get_json()
    assert seen_by_state["status"] == "approved" and "votes" not in seen_by_state
    assert (
        client.get(
            f"/api/v1/applications/{app_id}/ballot", headers=bearer(t["jamaica"])
        ).status_code
        == 403
    )


def test_transition_not_allowed_is_409_naming_the_status(client, cast):
    t = cast["tokens"]
    app_id = post(client, "/applications", t["jamaica"], BODY).get_json()["id"]
    response = post(
        client, f"/applications/{app_id}/screening", t["staff"], {"outcome": "eligible"}
    )
    # a draft is not visible to the secretariat at all
    assert response.status_code == 404
    post(client, f"/applications/{app_id}/submit", t["jamaica"])
    again = post(client, f"/applications/{app_id}/submit", t["jamaica"])
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "transition_not_allowed"
    assert "submitted" in again.get_json()["error"]["message"]
    vote = post(client, f"/applications/{app_id}/votes", t["african"], {"choice": "approve"})
    assert vote.status_code == 404  # the committee does not see a submitted request
    decision = post(client, f"/applications/{app_id}/decision", t["staff"], {})
    assert decision.status_code == 409 and "submitted" in decision.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"themes": ["nonsense"]}, "themes"),
        ({"sdgs": [0]}, "sdgs"),
        ({"budget": [{"category": "training", "description": "x", "amount": "-5"}]}, "amount"),
        ({"budget": [{"category": "training", "description": "x", "amount": "0"}]}, "amount"),
        ({"budget": [{"category": "training", "description": "x", "amount": "abc"}]}, "amount"),
        (
            {"budget": [{"category": "training", "description": "x", "amount": 1.5}]},
            "budget.0.amount.str",
        ),
        ({"budget": [{"category": "training", "description": "x", "amount": "60000"}]}, "amount"),
        ({"budget": [{"category": "beer", "description": "x", "amount": "5"}]}, "category"),
        ({"currency": "EUR"}, "currency"),
        ({"recommendations": [{"mechanism": "XYZ", "reference": "r", "text": "t"}]}, "mechanism"),
        ({"consent": {"official_name": "A", "official_title": "B", "given": False}}, "given"),
        ({"duration_months": 0}, "duration_months"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_is_422_and_nothing_is_created(client, cast, change, field):
    from app.applications.models import Application

    response = post(client, "/applications", cast["tokens"]["jamaica"], {**BODY, **change})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    assert db.session.execute(select(Application)).first() is None


def test_the_ceiling_is_the_admins_setting_through_the_api_too(client, cast, factory):
    from app.settings import services as settings

    settings.update(db.session(), factory.user("admin"), {"grant_ceiling": "100000"})
    db.session.commit()
    big = {**BODY, "budget": [{"category": "training", "description": "All", "amount": "60000"}]}
    response = post(client, "/applications", cast["tokens"]["jamaica"], big)
    assert response.status_code == 201, response.get_json()
    settings.update(db.session(), factory.user("admin"), {"grant_ceiling": "40000"})
    db.session.commit()
    response = post(client, "/applications", cast["tokens"]["jamaica"], big)
    assert response.status_code == 422 and "$40,000.00" in response.get_json()["error"]["message"]


def test_malformed_json_is_400(client, cast):
    response = client.post(
        "/api/v1/applications",
        data="{not json",
        content_type="application/json",
        headers=bearer(cast["tokens"]["jamaica"]),
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_other_state_gets_404_and_roles_get_403(client, cast, factory):
    t = cast["tokens"]
    app_id = post(client, "/applications", t["jamaica"], BODY).get_json()["id"]
    assert (
        client.get(f"/api/v1/applications/{app_id}", headers=bearer(t["other_state"])).status_code
        == 404
    )
    assert post(client, f"/applications/{app_id}/submit", t["other_state"]).status_code == 404
    donor = factory.token(factory.user("donor"))
    assert post(client, "/applications", donor, BODY).status_code == 403
    assert post(client, "/applications", t["staff"], BODY).status_code == 403
    assert client.get(f"/api/v1/applications/{app_id}", headers=bearer(donor)).status_code == 403


# -- the decision letter -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "rejected", "ineligible"])
def test_decision_letter_states_the_decision_and_never_the_votes(client, cast, status):
    board = cast["board"]
    choice = {"approved": "approve", "rejected": "reject"}.get(status, "approve")
    votes = {board.member(r): choice for r in (Region.AFRICAN, Region.ASIA_PACIFIC, Region.WEOG)}
    application = builders.application(
        cast["jamaica"],
        status,
        secretariat=cast["staff"],
        votes=votes if status != "ineligible" else None,
    )
    login(client, cast["jamaica"])
    response = client.get(f"/applications/{application.id}/decision.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert application.reference in text and "Jamaica" in text
    if status == "approved":
        assert "$20,000.50" in text
    if status == "ineligible":
        assert "Another fund." in text
    for member in board.all():
        assert member.display_name not in text
    assert db.session.execute(select(Vote)).first() is None or status != "ineligible"


def test_no_decision_letter_before_a_decision(client, cast):
    application = builders.application(cast["jamaica"], "submitted")
    login(client, cast["jamaica"])
    assert client.get(f"/applications/{application.id}/decision.pdf").status_code == 404


def test_the_committee_reads_the_letter_of_its_ballot_once_decided(client, cast, factory):
    board = cast["board"]
    in_review = builders.application(cast["jamaica"], "in_review", secretariat=cast["staff"])
    member = bearer(cast["tokens"]["african"])
    path = f"/api/v1/applications/{in_review.id}/decision.pdf"
    assert client.get(path, headers=member).status_code == 404  # no decision yet
    votes = {board.member(r): "reject" for r in (Region.AFRICAN, Region.ASIA_PACIFIC, Region.WEOG)}
    rejected = builders.application(
        cast["jamaica"], "rejected", secretariat=cast["staff"], votes=votes
    )
    path = f"/api/v1/applications/{rejected.id}/decision.pdf"
    for token in (cast["tokens"]["jamaica"], cast["tokens"]["staff"], cast["tokens"]["african"]):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert rejected.reference in pdf_text(response.data)
    assert client.get(path, headers=bearer(cast["tokens"]["other_state"])).status_code == 404
    outsider = factory.token(factory.user("committee", region="weog", state="DEU"))
    assert client.get(path, headers=bearer(outsider)).status_code == 404
    donor = factory.token(factory.user("donor"))
    assert client.get(path, headers=bearer(donor)).status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "application/pdf" in str(spec["/api/v1/applications/{application_id}/decision.pdf"])


# -- screening as design.md writes it ---------------------------------------------------------------------------


def test_ineligible_with_the_design_body_refers_the_state_on(client, cast):
    application = builders.application(cast["jamaica"], "submitted")
    response = post(
        client,
        f"/applications/{application.id}/screening",
        cast["tokens"]["staff"],
        {"outcome": "ineligible", "note": "The request is for budget support."},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ineligible"}
    db.session.refresh(application)
    assert application.decision_reasons == "The request is for budget support."
    assert "other sources of support" in application.referral
    detail = client.get(
        f"/api/v1/applications/{application.id}", headers=bearer(cast["tokens"]["jamaica"])
    ).get_json()
    assert detail["referral"] == application.referral
    # a referral of its own is still taken
    other = builders.application(cast["jamaica"], "submitted")
    post(
        client,
        f"/applications/{other.id}/screening",
        cast["tokens"]["staff"],
        {"outcome": "ineligible", "note": "Too large.", "referral": "The OHCHR Voluntary Fund."},
    )
    db.session.refresh(other)
    assert other.referral == "The OHCHR Voluntary Fund."


# -- input that used to reach the database ----------------------------------------------------------------------


BIG = 2**64


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sdgs": [BIG]}, "sdgs.0"),
        ({"sdgs": [2**62]}, "sdgs"),
        ({"duration_months": BIG}, "duration_months"),
        ({"expertise": {"languages": ["en"], "person_days": BIG}}, "expertise.person_days"),
        ({"budget": [{"category": "training", "description": "x", "amount": BIG}]}, "budget"),
    ],
)
def test_absurd_integers_are_422_not_a_database_error(client, cast, change, field):
    from app.applications.models import Application

    response = post(client, "/applications", cast["tokens"]["jamaica"], {**BODY, **change})
    assert response.status_code == 422, response.get_json()
    assert any(key.startswith(field) for key in response.get_json()["error"]["fields"])
    assert db.session.execute(select(Application)).first() is None


def test_too_many_languages_are_refused_before_the_column_overflows(client, cast):
    from app.reference import services as reference

    codes = sorted(reference.languages())[:40]
    body = {**BODY, "expertise": {"themes": [], "languages": codes, "person_days": 5}}
    response = post(client, "/applications", cast["tokens"]["jamaica"], body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"] == {"languages": "too many"} and "at most 20" in error["message"]
    body["expertise"]["languages"] = codes[:20]
    created = post(client, "/applications", cast["tokens"]["jamaica"], body)
    assert created.status_code == 201, created.get_json()


@pytest.mark.parametrize(
    ("key", "row"),
    [
        ("recommendations", BODY["recommendations"][0]),
        ("indicators", BODY["indicators"][0]),
        ("budget", {"category": "other", "description": "x", "amount": "1"}),
    ],
)
def test_rows_beyond_the_limit_are_422_naming_it(client, cast, key, row):
    from app.applications.models import Application
    from app.applications.specs import MAX_ROWS

    response = post(
        client, "/applications", cast["tokens"]["jamaica"], {**BODY, key: [row] * (MAX_ROWS + 1)}
    )
    assert response.status_code == 422, response.get_json()
    assert f"at most {MAX_ROWS}" in response.get_json()["error"]["message"]
    assert db.session.execute(select(Application)).first() is None
    full = post(client, "/applications", cast["tokens"]["jamaica"], {**BODY, key: [row] * MAX_ROWS})
    assert full.status_code == 201, full.get_json()


@pytest.mark.parametrize("number", [2**63, 2**64, 10**30])
def test_ids_beyond_the_database_range_are_404(client, cast, number):
    token = bearer(cast["tokens"]["jamaica"])
    for path in (f"/applications/{number}", f"/applications/{number}/decision.pdf"):
        response = client.get(f"/api/v1{path}", headers=token)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    login(client, cast["jamaica"])
    assert client.get(f"/applications/{number}").status_code == 404
    assert client.get(f"/applications/{number}/attachments/{number}").status_code == 404
    largest = client.get(f"/applications/{2**63 - 1}")
    assert largest.status_code == 404  # the largest BIGINT is a valid id that does not exist
