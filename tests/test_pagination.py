"""Pagination: a fixed number of queries, and a count that stops at COUNT_CAP."""

import pytest
from flask import url_for
from sqlalchemy import select

from app.auth.models import User
from app.core import pagination
from app.extensions import db
from tests.authz import EXPECTED, OK, ROLES, URL_ARGS, build_cast
from tests.factories import bearer, login


def test_the_count_stops_at_the_cap_and_the_pages_go_on(factory, monkeypatch):
    for _ in range(7):
        factory.user("donor")
    users = select(User).order_by(User.id)
    exact = pagination.paginate(db.session(), users, page=1, per_page=3)
    assert (exact.total, exact.capped, exact.pages) == (7, False, 3)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    first = pagination.paginate(db.session(), users, page=1, per_page=3)
    assert (first.total, first.capped, first.has_next) == (5, True, True)
    last = pagination.paginate(db.session(), users, page=3, per_page=3)
    assert len(last.items) == 1 and not last.has_next and last.has_prev


def test_a_capped_list_says_more_than(client, factory, monkeypatch):
    admin = factory.user("admin")
    for _ in range(60):
        factory.user("donor")
    monkeypatch.setattr(pagination, "COUNT_CAP", 55)
    login(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 (more than 55 in all)" in page
    assert 'rel="next"' in page


# -- whatever ?page= says, a list answers (design.md §6: bad input never produces a 500) ----------


def _get_routes():
    return sorted(endpoint for endpoint, method in EXPECTED if method == "GET")


@pytest.mark.parametrize("page", ["99999999999999999999999", "-1", "abc", "²", "1_0", " 2"])
def test_every_page_answers_whatever_page_it_is_asked_for(app, factory, page):
    """Every GET route of the matrix (the lists among them read ?page=), as a role that may
    see it: a page number past any database's OFFSET, negative, not a number or a Unicode
    digit is the first page or one past the end, never a 500."""
    cast = build_cast(factory)
    failures = []
    for endpoint in _get_routes():
        table = EXPECTED[(endpoint, "GET")]
        role = next(r for r in ROLES if table[r] == OK)
        client = app.test_client()
        headers = {}
        if role != "anonymous":
            if endpoint.split(".")[0].endswith("api"):
                headers = bearer(cast.tokens[role])
            else:
                login(client, cast.users[role])
        args = URL_ARGS.get(endpoint, lambda o: {})(cast.objects)
        with app.test_request_context():
            url = url_for(endpoint, **args, page=page)
        response = client.get(url, headers=headers)
        response.close()
        if response.status_code >= 500:
            failures.append(f"{endpoint} as {role}: {response.status_code}")
    assert not failures


def test_page_numbers_are_ascii_digits_and_bounded():
    assert pagination.page_arg("3") == 3
    for junk in (None, "", "0", "-1", "abc", "²", "١", "1_0", " 2", "+2", "2.0"):
        assert pagination.page_arg(junk) == 1, junk
    assert pagination.page_arg("9" * 5000) == pagination.MAX_PAGE  # past the end, not an error


def test_a_page_past_the_end_is_empty(factory):
    factory.user("donor")
    users = select(User).order_by(User.id)
    far = pagination.paginate(db.session(), users, page=10**30, per_page=3)
    assert far.items == [] and far.page == pagination.MAX_PAGE and far.has_prev
