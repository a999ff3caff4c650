"""Pagination: a fixed number of queries, and a count that stops at COUNT_CAP."""

from sqlalchemy import select

from app.auth.models import User
from app.core import pagination
from app.extensions import db
from tests.factories import login


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
