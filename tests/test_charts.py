"""The fund's charts: an even time axis, labels that fit, and the numbers in a table."""

from datetime import date

import pytest

from app.core import charts
from app.core.database import today
from app.core.dates import add_months
from app.extensions import db
from app.fund import queries
from app.ledger import postings
from tests import builders


@pytest.mark.raw_postings  # receipts without the contributions behind them
def test_money_in_and_out_covers_the_last_twelve_months_quiet_ones_at_zero(factory):
    donor = factory.user("donor")
    this_month = today().replace(day=1)
    three_ago = add_months(this_month, -3)
    long_ago = add_months(this_month, -14)
    for day, amount in ((three_ago, 5_000), (this_month, 700), (long_ago, 9_999)):
        postings.receipt(
            db.session(),
            donor_id=donor.id,
            donor_name="D",
            amount_minor=amount,
            effective_on=day,
        )
    months, money_in, money_out = queries.monthly_flows(db.session())
    assert months == [add_months(this_month, k) for k in range(-11, 1)]
    assert money_in[-4] == 5_000 and money_in[-1] == 700
    assert sum(money_in) == 5_700  # fourteen months ago is outside the window
    assert money_out == [0] * 12


def test_short_axis_labels_under_the_bars_and_full_ones_in_the_table(app):
    months = [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    with app.test_request_context():
        chart = str(
            charts.grouped_bars(
                "Money",
                ["November 2026", "December 2026", "January 2027"],
                [charts.Series("In", [1, 2, 3])],
                axis_labels=["Nov 2026", "", "Jan 2027"],
            )
        )
    svg, table = chart.split("</svg>", 1)
    assert ">Nov 2026</text>" in svg and ">Jan 2027</text>" in svg
    assert svg.count('class="axis">') == 5 + 2  # five value ticks, two month labels
    assert all(f'<th scope="row">{m:%B %Y}</th>' in table for m in months)


def _money_chart(page: str) -> str:
    """The money-over-time chart of a page (its SVG and its table of numbers)."""
    return page.split('<figure class="chart">')[1].split("</figure>")[0]


def test_the_fund_charts_follow_each_new_transaction(client, factory):
    staff = factory.user("secretariat")
    builders.donate(factory, staff, "1234.56")
    db.session.commit()
    first = _money_chart(client.get("/fund").get_data(as_text=True))
    assert "$1,234.56" in first
    assert _money_chart(client.get("/fund").get_data(as_text=True)) == first
    builders.donate(factory, staff, "100")
    db.session.commit()
    again = _money_chart(client.get("/fund").get_data(as_text=True))
    assert "$1,334.56" in again and "$1,234.56" not in again
