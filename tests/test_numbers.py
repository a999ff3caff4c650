"""Whole numbers from outside (query strings, cookies, metadata): ASCII digits, bounded."""

from datetime import timedelta

import pytest

from app.auth import services as auth
from app.auth import totp
from app.core.database import today
from app.core.numbers import MAX_BIGINT, whole_number
from app.core.web import int_arg
from app.extensions import db
from tests import builders
from tests.factories import bearer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(MAX_BIGINT), MAX_BIGINT),
        (str(MAX_BIGINT + 1), None),
        ("9" * 5000, None),  # int() itself refuses past 4,300 digits
        ("0" * 5000 + "5", 5),
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("١٢", None),  # Arabic-Indic digits: int() reads them, ids are ASCII
        (" 12", None),
        ("+12", None),
        ("-12", None),
        ("1_000", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (12, 12),
    ],
)
def test_whole_number(value, expected):
    assert whole_number(value) == expected


def test_a_bound_and_a_clamp():
    assert whole_number("2025", maximum=9999) == 2025
    assert whole_number("10000", maximum=9999) is None
    assert whole_number("10000", maximum=9999, clamp=True) == 9999
    assert whole_number("²", maximum=9999, clamp=True) is None


def test_int_arg_falls_back_to_its_default():
    assert int_arg("5") == 5
    assert int_arg("²", 3) == 3
    assert int_arg(str(2**63), 3) == 3
    assert int_arg(None) == 0


# -- the routes that read numbers from the query string ---------------------------------------------


def test_the_annual_report_refuses_a_year_in_unicode_digits(client):
    response = client.get("/annual-report?year=²²²²")
    assert response.status_code == 400 and "Choose a year" in response.get_data(as_text=True)
    assert client.get("/annual-report/²²²².pdf").status_code == 404


@pytest.mark.parametrize("donor", ["²", "99999999999999999999999", "-1"])
def test_the_ledger_ignores_a_donor_that_is_no_id(client, factory, donor):
    token = factory.token(factory.user("auditor"))
    response = client.get(f"/api/v1/ledger?donor={donor}", headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["items"] == []


@pytest.mark.parametrize("grant", ["²", "99999999999999999999999", "-1", "1.0"])
def test_the_roster_search_answers_422_for_a_grant_that_is_no_id(client, factory, grant):
    token = factory.token(factory.user("secretariat"))
    response = client.get(f"/api/v1/experts?for_grant={grant}", headers=bearer(token))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"for_grant": "invalid"}


def test_the_roster_search_allow_lists_the_region(client, factory):
    token = factory.token(factory.user("secretariat"))
    unknown = client.get("/api/v1/experts?region=xx", headers=bearer(token))
    assert unknown.status_code == 422
    error = unknown.get_json()["error"]
    assert error["code"] == "invalid" and error["fields"] == {"region": "unknown region"}
    assert "african" in error["message"]
    known = client.get("/api/v1/experts?region=african", headers=bearer(token))
    assert known.status_code == 200 and known.get_json()["items"] == []


def test_a_totp_code_in_unicode_digits_matches_nothing():
    secret = totp.new_secret()
    assert totp.matching_step(secret, "²²²²²²") is None
    assert totp.matching_step(secret, "١٢٣٤٥٦") is None


def test_a_session_id_in_unicode_digits_is_nobody(factory):
    user = factory.user("donor")
    assert auth.load_user(db.session(), user.get_id()) is user
    assert auth.load_user(db.session(), f"{user.id}:²") is None
    assert auth.load_user(db.session(), f"{2**64}:0") is None


# -- whole numbers in API bodies ------------------------------------------------------------------

HUGE = 2**70
TOO_BIG_BODIES = [
    # (role, method, path, body, field): the objects need not exist, the body is read first
    ("secretariat", "POST", "/grants/1/deployments", {"expert_id": HUGE}, "expert_id"),
    ("secretariat", "POST", "/grants/1/deployments", {"person_days": HUGE}, "person_days"),
    ("secretariat", "POST", "/grants/1/deployments", {"travel_budget": HUGE}, "travel_budget"),
    ("expert", "PUT", "/experts/me", {"years_experience": HUGE}, "years_experience"),
    ("expert", "PUT", "/experts/me", {"daily_rate": HUGE}, "daily_rate"),
    ("applicant", "POST", "/deployments/1/rating", {"rating": HUGE}, "rating"),
    ("secretariat", "POST", "/deployments/1/payments", {"amount": HUGE}, "amount"),
    ("committee", "POST", "/applications/1/votes", {"proposed_amount": HUGE}, "proposed_amount"),
    (
        "secretariat",
        "POST",
        "/applications/1/decision",
        {"approved_amount": HUGE},
        "approved_amount",
    ),
    ("applicant", "POST", "/reports/1/submit", {"indicators": [{"id": HUGE}]}, "indicators"),
    (
        "applicant",
        "POST",
        "/reports/1/submit",
        {"recommendations": [{"id": HUGE}]},
        "recommendations",
    ),
    ("applicant", "POST", "/applications", {"sdgs": [HUGE]}, "sdgs"),
    ("applicant", "POST", "/applications", {"duration_months": HUGE}, "duration_months"),
]


@pytest.mark.parametrize(("role", "method", "path", "body", "field"), TOO_BIG_BODIES)
def test_a_number_past_a_bigint_in_a_body_is_a_422(
    client, factory, role, method, path, body, field
):
    """Whole numbers in bodies are bounded like ids in paths (app.api.core.Int): 2**70 once
    overflowed the database driver (500) as a deployment's expert_id."""
    extra = {"state": "FJI"} if role == "applicant" else {}
    extra |= {"region": "african"} if role == "committee" else {}
    token = factory.token(factory.user(role, **extra))
    response = client.open(f"/api/v1{path}", method=method, headers=bearer(token), json=body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert any(name.startswith(field) for name in error["fields"]), error["fields"]


def test_a_proposal_for_expert_2_to_the_70_is_a_422(client, factory):
    """A whole proposal whose expert_id no BIGINT holds is refused with the field (it reached
    the database and overflowed the driver: 500); the largest BIGINT reaches the service,
    which answers that there is no such expert."""
    staff = factory.user("secretariat")
    fiji = factory.user("applicant", state="FJI")
    grant = builders.expert_grant(factory, staff, builders.committee(factory, staff), fiji)
    start = today() + timedelta(days=5)
    body = {"start": start.isoformat(), "end": start.isoformat(), "person_days": 1}
    path, headers = f"/api/v1/grants/{grant.id}/deployments", bearer(factory.token(staff))
    huge = client.post(path, headers=headers, json={**body, "expert_id": HUGE})
    assert huge.status_code == 422 and "expert_id" in huge.get_json()["error"]["fields"]
    largest = client.post(path, headers=headers, json={**body, "expert_id": MAX_BIGINT})
    assert largest.status_code == 404 and "expert" in largest.get_json()["error"]["message"]
