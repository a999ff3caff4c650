"""The demo's clock: it can run a block at an earlier date, and is the real one otherwise."""

from datetime import UTC, date, datetime, timedelta

from app.core.database import clock_at, today, utcnow


def test_the_clock_is_real_unless_the_demo_moves_it():
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)
    with clock_at(date(2025, 3, 1)):
        assert today() == date(2025, 3, 1)
        assert utcnow().date() == date(2025, 3, 1)
        with clock_at(date(2025, 6, 30)):
            assert today() == date(2025, 6, 30)
        assert today() == date(2025, 3, 1)
    assert today() == datetime.now(UTC).date()
