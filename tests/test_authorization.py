"""The authorization matrix: every route × every role against tests/authz.py (design.md §7)."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from tests.authz import BODIES, DENY, EXPECTED, HIDE, LOGIN, OK, ROLES, URL_ARGS, build_cast
from tests.factories import bearer, login


def app_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method))
    return sorted(routes)


def test_every_route_has_an_entry(app):
    assert set(BODIES) <= {endpoint for endpoint, _method in EXPECTED}, "a body for no route"
    missing = [route for route in app_routes(app) if route not in EXPECTED]
    assert not missing, f"routes without an authorization entry in tests/authz.py: {missing}"
    stale = [route for route in EXPECTED if route not in app_routes(app)]
    assert not stale, f"entries for routes that no longer exist: {stale}"
    for route, table in EXPECTED.items():
        assert set(table) == set(ROLES), f"{route} does not name every role"


def classify(response) -> str:
    status = response.status_code
    if status == 401:
        return LOGIN
    if status in (302, 303) and "/login?next=" in response.headers.get("Location", ""):
        return LOGIN
    if status == 403:
        return DENY
    if status == 404:
        return HIDE
    return OK


def _is_api(endpoint: str) -> bool:
    return endpoint.split(".")[0].endswith("api")


def _request(app, cast, endpoint, method, role):
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        login(client, cast.users[role])
        if _is_api(endpoint):
            headers = bearer(cast.tokens[role])
    args = URL_ARGS.get(endpoint, lambda o: {})(cast.objects)
    with app.test_request_context():
        url = url_for(endpoint, **args)
    if _is_api(endpoint) and role != "anonymous":
        client = app.test_client()  # the API reads the bearer token only, never the cookie
    body = BODIES.get(endpoint, {}) if method == "POST" else None
    if _is_api(endpoint) and body:
        response = client.open(url, method=method, headers=headers, json=body)
    else:
        response = client.open(url, method=method, headers=headers, data=body)
    response.close()  # file downloads stream from disk
    return response


@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_route_against_every_role(app, factory, endpoint, method):
    cast = build_cast(factory)
    mismatches = []
    for role in ROLES:
        expected = EXPECTED[(endpoint, method)][role]
        response = _request(app, cast, endpoint, method, role)
        actual = classify(response)
        if actual != expected:
            mismatches.append(f"{role}: expected {expected}, got {actual} ({response.status_code})")
        assert response.status_code < 500, f"{endpoint} {method} as {role}: {response.status_code}"
    assert not mismatches, f"{method} {endpoint}:\n  " + "\n  ".join(mismatches)
