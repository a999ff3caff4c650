"""Fund settings (admin) and committee seats and terms (secretariat)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.committee import seats
from app.committee.models import CommitteeSeat
from app.core.audit import AuditEvent
from app.core.database import today
from app.core.errors import Conflict, PermissionDenied, ValidationError
from app.extensions import db
from app.settings import services as settings
from tests.factories import login


def test_admin_changes_a_setting_through_the_page_and_it_is_audited(client, factory):
    admin = factory.user("admin")
    login(client, admin)
    values = settings.all_values(db.session())
    response = client.post(
        "/admin/settings", data={**{k: str(v) for k, v in values.items()}, "ballot_days": "21"}
    )
    assert response.status_code == 302
    assert settings.get(db.session(), "ballot_days") == 21
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "settings.update")
    ).scalar_one()
    assert event.data_dict == {"ballot_days": {"from": 14, "to": 21}}


@pytest.mark.parametrize(
    ("key", "value"), [("ballot_days", "0"), ("ballot_days", "many"), ("quorum_percent", "100")]
)
def test_bad_setting_values_change_nothing(client, factory, key, value):
    admin = factory.user("admin")
    login(client, admin)
    values = {k: str(v) for k, v in settings.all_values(db.session()).items()}
    response = client.post("/admin/settings", data={**values, "reminder_hours": "12", key: value})
    assert response.status_code == 200 and "Nothing was saved" in response.get_data(as_text=True)
    assert settings.get(db.session(), "reminder_hours") == 48


def test_only_the_admin_changes_settings(factory):
    with pytest.raises(PermissionDenied):
        settings.update(db.session(), factory.user("secretariat"), {"ballot_days": "3"})


def test_grant_ceiling_defaults_to_the_configuration(app):
    assert settings.get(db.session(), "grant_ceiling") == app.config["GRANT_CEILING"] == 50000


def test_one_member_seat_per_group_at_a_time(factory):
    staff = factory.user("secretariat")
    first = factory.user("committee", region="weog", state="NLD")
    second = factory.user("committee", region="weog", state="BEL")
    start = date(2025, 1, 1)
    seat = seats.add_seat(db.session(), staff, first, term_start=start)
    assert seat.term_end == date(2028, 1, 1)
    with pytest.raises(Conflict, match="already has a member seat"):
        seats.add_seat(db.session(), staff, second, term_start=date(2026, 6, 1))
    seats.add_seat(db.session(), staff, second, kind="alternate", term_start=date(2026, 6, 1))
    successor = factory.user("committee", region="weog", state="IRL")
    seats.add_seat(db.session(), staff, successor, term_start=date(2028, 1, 1))


def test_at_most_two_consecutive_terms(factory):
    staff = factory.user("secretariat")
    member = factory.user("committee", region="african", state="GHA")
    seats.add_seat(db.session(), staff, member, term_start=date(2019, 1, 1))
    seats.add_seat(db.session(), staff, member, term_start=date(2022, 1, 1))
    with pytest.raises(ValidationError, match="consecutive terms"):
        seats.add_seat(db.session(), staff, member, term_start=date(2025, 1, 1))
    seats.add_seat(db.session(), staff, member, term_start=date(2026, 1, 1))  # after a break


@pytest.mark.parametrize(
    ("terms", "new", "allowed"),
    [
        # filling the gap between two terms would make three in a row
        ([(2019, 2022), (2025, 2028)], (2022, 2025), False),
        # a new term just before two back-to-back ones
        ([(2022, 2025), (2025, 2028)], (2019, 2022), False),
        # a day's gap, or a few months', is no break
        ([(2019, 2022), (2022, 2025)], ((2025, 1, 2), (2028, 1, 2)), False),
        ([(2019, 2022), ((2022, 6, 1), (2025, 6, 1))], ((2025, 12, 1), (2028, 12, 1)), False),
        # a break of a year or more starts a fresh count
        ([(2019, 2022), (2022, 2025)], (2026, 2029), True),
        ([(2015, 2018), (2025, 2028)], ((2019, 1, 1), (2022, 1, 1)), True),
    ],
)
def test_consecutive_terms_count_the_whole_run_through_the_new_term(factory, terms, new, allowed):
    def day(value):
        return date(*value) if isinstance(value, tuple) else date(value, 1, 1)

    staff = factory.user("secretariat")
    member = factory.user("committee", region="african", state="GHA")
    for start, end in terms:
        seats.add_seat(db.session(), staff, member, term_start=day(start), term_end=day(end))
    start, end = new
    if allowed:
        seats.add_seat(db.session(), staff, member, term_start=day(start), term_end=day(end))
    else:
        with pytest.raises(ValidationError, match="at most 2 consecutive terms"):
            seats.add_seat(db.session(), staff, member, term_start=day(start), term_end=day(end))


@pytest.mark.parametrize(
    "start", [date(9990, 1, 1), date(9999, 12, 31), today() + timedelta(days=3700)]
)
def test_a_term_far_in_the_future_is_refused_with_a_message(client, factory, start):
    staff = factory.user("secretariat")
    member = factory.user("committee", region="weog", state="NLD")
    with pytest.raises(ValidationError, match="more than 10 years from today"):
        seats.add_seat(db.session(), staff, member, term_start=start)
    db.session.commit()
    login(client, staff)
    response = client.post(
        "/committee/seats",
        data={"user": member.id, "kind": "member", "term_start": start.isoformat()},
    )
    assert response.status_code == 200
    assert "more than 10 years from today" in response.get_data(as_text=True)
    assert db.session.execute(select(CommitteeSeat)).first() is None


def test_seats_are_for_committee_members_only(factory):
    staff = factory.user("secretariat")
    with pytest.raises(ValidationError, match="only committee members"):
        seats.add_seat(db.session(), staff, factory.user("donor"), term_start=today())
    with pytest.raises(PermissionDenied):
        seats.add_seat(
            db.session(), factory.user("admin"), factory.user("committee"), term_start=today()
        )


def test_ending_a_seat_early_takes_it_off_future_ballots(client, factory):
    staff = factory.user("secretariat")
    member = factory.user("committee", region="grulac", state="CHL")
    seat = seats.add_seat(db.session(), staff, member, term_start=today() - timedelta(days=100))
    db.session.commit()
    login(client, staff)
    response = client.post(
        f"/committee/seats/{seat.id}/end", data={"on": today().isoformat(), "reason": "Resigned"}
    )
    assert response.status_code == 302
    db.session.refresh(seat)
    assert seat.ended_on == today() and not seat.is_active(today())
    assert seats.active_seats(db.session()) == []
    page = client.get("/committee/seats").get_data(as_text=True)
    assert "Resigned" in page


def test_seat_form_refuses_overlaps_with_a_message(client, factory):
    staff = factory.user("secretariat")
    a = factory.user("committee", region="weog", state="NLD")
    b = factory.user("committee", region="weog", state="BEL")
    seats.add_seat(db.session(), staff, a, term_start=today())
    db.session.commit()
    login(client, staff)
    response = client.post(
        "/committee/seats", data={"user": b.id, "kind": "member", "term_start": today().isoformat()}
    )
    assert response.status_code == 200 and "already has a member seat" in response.get_data(
        as_text=True
    )
    assert len(db.session.execute(select(CommitteeSeat)).scalars().all()) == 1
