"""The API skeleton: bearer tokens, JSON errors, OpenAPI (design.md §5.2)."""

import pytest
from sqlalchemy import select

from app.api.openapi import api_routes
from app.auth.models import ApiToken
from app.extensions import db
from tests.factories import bearer


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer sptf_not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Token sptf_x"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_missing_or_malformed_token_is_401_json(client, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": "a valid bearer token is required"}
    }


def test_revoked_token_and_deactivated_user_are_refused(client, factory):
    user = factory.user("donor")
    token = factory.token(user)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    row = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    from app.auth import services as auth

    auth.revoke_api_token(db.session(), user, row.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    other = factory.token(user)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401


def test_only_the_token_hash_is_stored(factory):
    user = factory.user("donor")
    token = factory.token(user)
    row = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert row.last_used_at is None


def test_token_use_is_recorded(client, factory):
    user = factory.user("donor")
    token = factory.token(user)
    client.get("/api/v1/me", headers=bearer(token))
    row = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_unknown_api_route_is_404_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_me_returns_committee_region(client, factory):
    user = factory.user("committee", region="grulac", state="JAM")
    body = client.get("/api/v1/me", headers=bearer(factory.token(user))).get_json()
    assert body["role"] == "committee" and body["region"] == "grulac" and body["state"] == "JAM"


def test_openapi_describes_every_api_route(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    assert rules
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "api_meta"), f"{rule.rule} has no API description"
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (
                f"{method} {path} missing from openapi.json"
            )
    assert len(documented) == len(api_routes(app))
    assert spec["paths"]["/api/v1/me"]["get"]["responses"]["401"]["content"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
