"""Contributions: transfers and pledges, card gifts through Stripe's signed webhook, refunds,
disputes, receipts and statements (design.md §3.3)."""

import time

import pytest
from sqlalchemy import func, select

from app.contributions import services as contributions
from app.contributions.models import Contribution, ContributionStatus, StripeEvent
from app.core.errors import Conflict, PermissionDenied, ValidationError
from app.core.money import Money
from app.extensions import db
from app.grants import services as grants
from app.ledger import services as ledger
from app.ledger.models import LedgerTransaction
from tests import stripe_helpers as sh
from tests.conftest import assert_ledger_holds as consistent
from tests.factories import bearer, login, pdf_text


@pytest.fixture
def donor(factory):
    return factory.user("donor", name="Open Rights Foundation")


def transactions():
    return db.session.execute(select(func.count(LedgerTransaction.id))).scalar_one()


# -- transfers and pledges -------------------------------------------------------------------------------


def test_bank_transfer_in_the_fund_currency(staff, donor):
    c = contributions.record_bank(db.session(), staff, donor, "25,000.00", "USD", reference="BNK-1")
    assert (c.status, c.base_amount_minor, c.received_minor, c.rate) == (
        "received",
        2_500_000,
        2_500_000,
        "1",
    )
    assert c.receipt_number.startswith("R-")
    assert ledger.position(db.session()).cash == 2_500_000
    consistent()


def test_foreign_currency_keeps_original_amount_rate_and_base(staff, donor):
    c = contributions.record_bank(
        db.session(), staff, donor, "10000", "EUR", rate="1.0850", reference="EUR-1"
    )
    assert (c.original_amount_minor, c.original_currency, c.rate, c.base_amount_minor) == (
        1_000_000,
        "EUR",
        "1.085",
        1_085_000,
    )
    yen = contributions.record_bank(
        db.session(), staff, donor, "1000000", "JPY", rate="0.0067", reference="JPY-1"
    )
    assert yen.original_amount_minor == 1_000_000 and yen.base_amount_minor == 670_000
    consistent()


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "message"),
    [
        ("-5", "USD", None, "greater than zero"),
        ("0", "USD", None, "greater than zero"),
        ("10.001", "USD", None, "at most 2 decimal places"),
        ("ten", "USD", None, "not an amount"),
        ("1e18", "USD", None, "not an amount"),
        ("1E999999", "USD", None, "not an amount"),
        ("NaN", "USD", None, "not an amount"),
        ("Infinity", "USD", None, "not an amount"),
        ("-0", "USD", None, "greater than zero"),
        ("0.001", "USD", None, "at most 2 decimal places"),
        ("100000000000000", "USD", None, "too large"),
        ("100", "XXX", None, "not an ISO 4217"),
        ("100", "EUR", None, "exchange rate"),
        ("100", "EUR", "-1", "positive number"),
        ("100", "EUR", "abc", "exchange rate"),
        ("100", "EUR", "1E999999", "positive number"),
        ("100", "EUR", "NaN", "positive number"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_posted(
    staff, donor, amount, currency, rate, message
):
    before = transactions()
    with pytest.raises(ValidationError, match=message):
        contributions.record_bank(
            db.session(), staff, donor, amount, currency, rate=rate, reference="R"
        )
    db.session.rollback()
    assert transactions() == before
    assert db.session.execute(select(Contribution)).first() is None


BAD_AMOUNTS = ["1E999999", "NaN", "Infinity", "-0", "0.001", "1e5", "12,34", "", "ten"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_amounts_in_the_form_are_shown_again_and_nothing_is_posted(
    client, staff, donor, amount
):
    login(client, staff)
    response = client.post(
        "/contributions/new/bank",
        data={"donor_email": donor.email, "amount": amount, "currency": "USD", "reference": "F"},
    )
    assert response.status_code == 200  # the form again, with its message on the amount
    page = response.get_data(as_text=True)
    assert 'id="amount-error"' in page, page
    assert transactions() == 0 and db.session.execute(select(Contribution)).first() is None


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_bad_amounts_in_the_api_are_422_and_nothing_is_posted(
    client, factory, staff, donor, amount
):
    response = client.post(
        "/api/v1/contributions",
        json={"donor_email": donor.email, "amount": amount, "currency": "USD", "reference": "A"},
        headers=bearer(factory.token(staff)),
    )
    assert response.status_code == 422, response.get_json()
    assert "amount" in response.get_json()["error"]["fields"]
    assert transactions() == 0


def test_spaces_around_an_amount_are_trimmed(client, factory, staff, donor):
    response = client.post(
        "/api/v1/contributions",
        json={"donor_email": donor.email, "amount": " 12 ", "currency": "USD", "reference": "S"},
        headers=bearer(factory.token(staff)),
    )
    assert response.status_code == 201 and response.get_json()["amount"] == "12.00"


def test_the_same_bank_reference_is_not_recorded_twice(staff, donor):
    contributions.record_bank(db.session(), staff, donor, "100", "USD", reference="SAME")
    with pytest.raises(Conflict, match="already recorded"):
        contributions.record_bank(db.session(), staff, donor, "100", "USD", reference="SAME")


def test_a_pledge_payment_is_not_recorded_twice_under_the_same_reference(client, staff, donor):
    pledge = contributions.record_pledge(db.session(), staff, donor, "1000", "USD")
    contributions.record_pledge_payment(db.session(), staff, pledge, "300", reference="PAY-1")
    db.session.commit()
    before = transactions()
    with pytest.raises(Conflict, match="already recorded on this pledge"):
        contributions.record_pledge_payment(db.session(), staff, pledge, "300", reference=" PAY-1")
    db.session.rollback()
    # The form sent again shows the refusal on the reference; nothing is booked.
    login(client, staff)
    response = client.post(
        f"/contributions/{pledge.id}/payment", data={"amount": "300", "reference": "PAY-1"}
    )
    assert response.status_code == 200
    assert 'id="reference-error"' in response.get_data(as_text=True)
    db.session.refresh(pledge)
    assert transactions() == before and pledge.received_minor == 30_000
    # Another pledge may carry a payment with the same bank reference.
    other = contributions.record_pledge(db.session(), staff, donor, "100", "USD")
    contributions.record_pledge_payment(db.session(), staff, other, "100", reference="PAY-1")
    assert other.status == "received"
    consistent()


@pytest.mark.parametrize("kind", ["bank", "pledge"])
def test_a_reference_longer_than_the_limit_is_refused_not_cut(client, factory, staff, donor, kind):
    too_long = "R" * (contributions.REFERENCE_MAX + 1)
    response = client.post(
        "/api/v1/contributions",
        json={
            "donor_email": donor.email,
            "amount": "10",
            "currency": "USD",
            "reference": too_long,
            "kind": kind,
        },
        headers=bearer(factory.token(staff)),
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"] == {"reference": "too long"}
    login(client, staff)
    page = client.post(
        f"/contributions/new/{kind}",
        data={"donor_email": donor.email, "amount": "10", "currency": "USD", "reference": too_long},
    )
    assert page.status_code == 200 and 'id="reference-error"' in page.get_data(as_text=True)
    assert transactions() == 0 and db.session.execute(select(Contribution)).first() is None


def test_a_pledge_payment_reference_longer_than_the_limit_is_refused(staff, donor):
    pledge = contributions.record_pledge(db.session(), staff, donor, "1000", "USD")
    with pytest.raises(ValidationError, match="at most 100 characters"):
        contributions.record_pledge_payment(
            db.session(), staff, pledge, "10", reference="P" * (contributions.REFERENCE_MAX + 1)
        )
    assert pledge.received_minor == 0


def test_a_transfer_with_the_longest_reference_can_still_be_corrected(staff, donor, factory):
    from app.contributions import corrections

    longest = "L" * contributions.REFERENCE_MAX
    transfer = contributions.record_bank(db.session(), staff, donor, "10", "USD", reference=longest)
    corrections.request_correction(db.session(), staff, transfer, "Entered twice")
    corrections.correct_bank(db.session(), factory.user("secretariat"), transfer)
    assert transfer.reference == longest and transfer.status == "cancelled"
    assert ledger.position(db.session()).cash == 0
    consistent()


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        # Too large once converted: was an OverflowError (500).
        ("1000000000000", "1000000", "the converted amount is too large"),
        # More digits than the rate column keeps: refused before it is stored.
        ("1000000", "0.0001234567890123456789012345678", "significant digits"),
    ],
)
def test_an_impossible_conversion_is_a_422_and_books_nothing(
    client, factory, staff, donor, amount, rate, expected
):
    response = client.post(
        "/api/v1/contributions",
        json={
            "donor_email": donor.email,
            "amount": amount,
            "currency": "EUR",
            "rate": rate,
            "reference": "ODD",
        },
        headers=bearer(factory.token(staff)),
    )
    assert response.status_code == 422, response.get_json()
    assert expected in response.get_json()["error"]["message"]
    assert transactions() == 0


def test_pledge_then_payments_settle_the_receivable(staff, donor):
    pledge = contributions.record_pledge(
        db.session(), staff, donor, "40000", "EUR", rate="1.08", reference="P-1"
    )
    position = ledger.position(db.session())
    assert (position.pledges_outstanding, position.cash, position.received) == (4_320_000, 0, 0)
    contributions.record_pledge_payment(db.session(), staff, pledge, "15000", reference="T-1")
    with pytest.raises(ValidationError, match="more than"):
        contributions.record_pledge_payment(db.session(), staff, pledge, "30000", reference="T-2")
    contributions.record_pledge_payment(db.session(), staff, pledge, "25000", reference="T-3")
    assert pledge.status == ContributionStatus.RECEIVED
    position = ledger.position(db.session())
    assert (position.pledges_outstanding, position.cash, position.received) == (
        0,
        4_320_000,
        4_320_000,
    )
    consistent()


def test_a_pledge_recorded_with_a_long_rate_still_takes_payments(staff, donor):
    # Recorded before rates were limited to twelve significant digits: the rate on record is
    # used as it is, while a rate typed today is held to the limit.
    pledge = contributions.record_pledge(
        db.session(), staff, donor, "1000", "EUR", rate="1.085", reference="P-OLD"
    )
    pledge.rate = "1.08506944444444"
    contributions.record_pledge_payment(db.session(), staff, pledge, "400", reference="T-1")
    assert pledge.status == "pledged"
    with pytest.raises(ValidationError, match="significant digits"):
        contributions.record_pledge_payment(
            db.session(), staff, pledge, "100", reference="T-2", rate="1.08506944444444"
        )


def test_a_pledge_is_owed_in_its_own_currency_and_the_last_payment_settles_it(staff, donor):
    # EUR 1.00 at 1.009 is $1.01 (rounded); each EUR 0.50 is $0.50 at that rate.
    pledge = contributions.record_pledge(
        db.session(), staff, donor, "1.00", "EUR", rate="1.009", reference="P-EUR"
    )
    assert pledge.base_amount_minor == 101
    contributions.record_pledge_payment(db.session(), staff, pledge, "0.50", reference="T-1")
    assert pledge.status == "pledged" and pledge.outstanding_original == Money(50, "EUR")
    contributions.record_pledge_payment(db.session(), staff, pledge, "0.50", reference="T-2")
    assert pledge.status == "received" and pledge.received_minor == 101
    position = ledger.position(db.session())
    # Cash is what arrived ($1.00); the cent the rounding added is an exchange difference.
    assert (position.cash, position.pledges_outstanding, position.exchange) == (100, 0, 1)
    assert position.received == position.cash == 100
    with pytest.raises(Conflict, match="open pledge"):
        contributions.record_pledge_payment(db.session(), staff, pledge, "0.01", reference="T-3")
    consistent()


def test_a_pledge_paid_at_the_days_rate_books_the_exchange_difference(staff, donor):
    pledge = contributions.record_pledge(
        db.session(), staff, donor, "10000", "EUR", rate="1.08", reference="P-EUR-2"
    )
    contributions.record_pledge_payment(
        db.session(), staff, pledge, "4000", reference="T-1", rate="1.10"
    )
    contributions.record_pledge_payment(
        db.session(), staff, pledge, "6000", reference="T-2", rate="1.05"
    )
    position = ledger.position(db.session())
    # $4,400 + $6,300 arrived for a pledge booked at $10,800: a loss of $100.
    assert (position.cash, position.pledges_outstanding, position.exchange) == (
        1_070_000,
        0,
        10_000,
    )
    assert pledge.status == "received" and pledge.received_original_minor == 1_000_000
    with pytest.raises(ValidationError, match="exchange rate"):
        contributions.record_pledge_payment(
            db.session(),
            staff,
            contributions.record_pledge(db.session(), staff, donor, "10", "EUR", rate="1.1"),
            "5",
            reference="T-3",
            rate="abc",
        )
    db.session.rollback()
    consistent()


def test_only_the_secretariat_records_money(factory, donor):
    for role in ("donor", "applicant", "committee", "admin", "auditor"):
        with pytest.raises(PermissionDenied):
            contributions.record_bank(
                db.session(), factory.user(role), donor, "100", "USD", reference="R"
            )


def test_recording_through_the_api(client, factory, staff, donor):
    token = factory.token(staff)
    response = client.post(
        "/api/v1/contributions",
        json={
            "donor_email": donor.email,
            "amount": "5000.00",
            "currency": "CHF",
            "rate": "1.12",
            "reference": "CHF-1",
        },
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["base_amount"] == "5600.00"
    unknown = client.post(
        "/api/v1/contributions",
        json={"donor_email": "nobody@x.org", "amount": "1", "currency": "USD", "reference": "X"},
        headers=bearer(token),
    )
    assert unknown.status_code == 422 and "donor_email" in unknown.get_json()["error"]["fields"]
    floaty = client.post(
        "/api/v1/contributions",
        json={"donor_email": donor.email, "amount": 10.5, "currency": "USD", "reference": "X"},
        headers=bearer(token),
    )
    assert floaty.status_code == 422
    assert (
        client.post(
            "/api/v1/contributions", json={}, headers=bearer(factory.token(donor))
        ).status_code
        == 403
    )


# -- card gifts and the webhook --------------------------------------------------------------------------


def pending_gift(donor, pi_id="pi_test_1", amount="100"):
    gift = contributions.start_card_gift(db.session(), donor, amount)
    contributions.attach_payment_intent(db.session(), gift, pi_id)
    db.session.commit()
    return gift


def send(client, kind, obj, event_id, *, secret=sh.WEBHOOK_SECRET, timestamp=None):
    return sh.send(client, kind, obj, event_id, secret=secret, timestamp=timestamp)


def test_success_is_recorded_exactly_once_whatever_the_retries(client, stripe_on, donor):
    gift = pending_gift(donor)
    first = send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_1")
    assert first.status_code == 200 and first.get_json()["outcome"] == "recorded"
    again = send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_1")
    assert again.get_json()["outcome"] == "duplicate event"
    retried = send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_1b")
    assert retried.get_json()["outcome"] == "already recorded"
    db.session.refresh(gift)
    assert gift.status == "received" and gift.received_minor == 10_000 and gift.receipt_number
    assert ledger.position(db.session()).received == 10_000
    consistent()


@pytest.mark.parametrize(
    ("secret", "timestamp"),
    [("whsec_wrong", None), (sh.WEBHOOK_SECRET, int(time.time()) - 3600)],
    ids=["wrong secret", "stale"],
)
def test_bad_or_stale_signature_is_400_and_records_nothing(
    client, stripe_on, donor, secret, timestamp
):
    pending_gift(donor)
    response = send(
        client,
        "payment_intent.succeeded",
        sh.intent("pi_test_1", 10_000),
        "evt_x",
        secret=secret,
        timestamp=timestamp,
    )
    assert response.status_code == 400
    assert transactions() == 0 and db.session.execute(select(StripeEvent)).first() is None


def test_missing_signature_and_malformed_body_are_400(client, stripe_on):
    assert (
        client.post("/stripe/webhook", data=b"{}", content_type="application/json").status_code
        == 400
    )
    body = b"not json"
    response = client.post(
        "/stripe/webhook", data=body, headers={"Stripe-Signature": sh.signature(body)}
    )
    assert response.status_code == 400
    assert transactions() == 0


def test_an_unknown_payment_intent_is_refused(client, stripe_on):
    response = send(client, "payment_intent.succeeded", sh.intent("pi_nobody", 500), "evt_2")
    assert response.status_code == 400 and "pi_nobody" in response.get_json()["error"]["message"]
    assert transactions() == 0


def test_refunds_are_reversing_transactions_once_per_refund_id(client, stripe_on, donor):
    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    send(
        client,
        "charge.refunded",
        sh.refunded_charge("pi_test_1", 10_000, [("re_1", 3_000)]),
        "evt_r1",
    )
    send(
        client,
        "charge.refunded",
        sh.refunded_charge("pi_test_1", 10_000, [("re_1", 3_000)]),
        "evt_r1_retry",
    )
    send(
        client,
        "charge.refunded",
        sh.refunded_charge("pi_test_1", 10_000, [("re_1", 3_000), ("re_2", 7_000)]),
        "evt_r2",
    )
    db.session.refresh(gift)
    assert gift.refunded_minor == 10_000 and gift.status == "refunded"
    assert ledger.position(db.session()).received == 0
    refunds = (
        db.session.execute(select(LedgerTransaction).where(LedgerTransaction.kind == "refund"))
        .scalars()
        .all()
    )
    assert sorted(t.external_id for t in refunds) == ["stripe:re_1", "stripe:re_2"]
    consistent()


def test_a_refund_arriving_before_the_payment_is_still_right(client, stripe_on, donor):
    gift = pending_gift(donor, amount="100")
    send(
        client,
        "charge.refunded",
        sh.refunded_charge("pi_test_1", 10_000, [("re_9", 2_500)]),
        "evt_early",
    )
    late = send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_late")
    assert late.get_json()["outcome"] == "already recorded"
    db.session.refresh(gift)
    assert (gift.received_minor, gift.refunded_minor, gift.status) == (10_000, 2_500, "received")
    consistent()


def test_disputes_take_the_money_and_a_won_dispute_returns_it(client, stripe_on, donor):
    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    send(client, "charge.dispute.created", sh.dispute("dp_1", "pi_test_1", 10_000), "evt_d1")
    send(client, "charge.dispute.created", sh.dispute("dp_1", "pi_test_1", 10_000), "evt_d1_again")
    assert ledger.position(db.session()).cash == 0
    send(client, "charge.dispute.closed", sh.dispute("dp_1", "pi_test_1", 10_000, "won"), "evt_d2")
    send(
        client,
        "charge.dispute.closed",
        sh.dispute("dp_1", "pi_test_1", 10_000, "won"),
        "evt_d2_again",
    )
    db.session.refresh(gift)
    assert ledger.position(db.session()).cash == 10_000
    assert gift.refunded_minor == 0 and gift.status == "received"
    consistent()


def test_a_refund_beyond_the_cash_held_is_owed_to_the_processor(
    client, stripe_on, factory, staff, donor
):
    from tests import builders

    gift = pending_gift(donor, amount="100000")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000_000), "evt_p")
    # Part of the gift has been paid out to a grant before the card holder's bank claws the
    # whole of it back.
    board = builders.committee(factory, staff)
    grant = builders.active_grant(factory, staff, board, factory.user("applicant", state="FJI"))
    release = grants.create_disbursement(db.session(), staff, grant, "12000.30")
    grants.approve_disbursement(db.session(), factory.user("secretariat"), release, "BNK")
    db.session.commit()
    send(client, "charge.dispute.created", sh.dispute("dp_2", "pi_test_1", 10_000_000), "evt_d")
    position = ledger.position(db.session())
    assert position.cash == 0 and position.due_to_processor == 1_200_030
    # What the active grant still holds is the fund's recorded shortfall.
    assert position.shortfall == position.committed == 800_020
    db.session.refresh(gift)
    assert (gift.disputed_minor, gift.refunded_minor, gift.status) == (10_000_000, 0, "refunded")
    consistent()


def outcomes(*events):
    """The stored outcome of each event id."""
    return [db.session.get(StripeEvent, e).outcome for e in events]


def test_a_won_dispute_arriving_before_its_creation_nets_to_nothing(client, stripe_on, donor):
    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    won = send(
        client, "charge.dispute.closed", sh.dispute("dp_3", "pi_test_1", 10_000, "won"), "evt_c"
    )
    assert won.get_json()["outcome"] == "dispute recorded and funds reinstated"
    late = send(client, "charge.dispute.created", sh.dispute("dp_3", "pi_test_1", 10_000), "evt_o")
    assert late.get_json()["outcome"] == "dispute already recorded"
    db.session.refresh(gift)
    assert ledger.position(db.session()).cash == 10_000
    assert (gift.disputed_minor, gift.status) == (0, "received")
    consistent()


@pytest.mark.parametrize("order", ["withdrawn first", "reinstated first"])
def test_funds_withdrawn_and_reinstated_in_either_order(client, stripe_on, donor, order):
    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    withdrawn = ("charge.dispute.funds_withdrawn", sh.dispute("dp_4", "pi_test_1", 10_000), "e_w")
    reinstated = (
        "charge.dispute.funds_reinstated",
        sh.dispute("dp_4", "pi_test_1", 10_000, "won"),
        "e_r",
    )
    events = [withdrawn, reinstated] if order == "withdrawn first" else [reinstated, withdrawn]
    send(client, *events[0])
    if order == "withdrawn first":
        assert ledger.position(db.session()).cash == 0
    send(client, *events[1])
    send(client, *events[1][:2], "e_replayed")  # a replay under a new event id
    db.session.refresh(gift)
    assert ledger.position(db.session()).cash == 10_000 and gift.disputed_minor == 0
    kinds = db.session.execute(
        select(LedgerTransaction.kind).where(LedgerTransaction.kind.in_(["dispute", "reversal"]))
    ).scalars()
    assert sorted(kinds) == ["dispute", "reversal"]
    consistent()


def test_an_inquiry_withdraws_no_funds(client, stripe_on, donor):
    pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    before = transactions()
    for status, event_id in (("warning_needs_response", "e1"), ("warning_closed", "e2")):
        kind = "charge.dispute.created" if event_id == "e1" else "charge.dispute.closed"
        response = send(client, kind, sh.dispute("du_1", "pi_test_1", 10_000, status), event_id)
        assert "no funds withdrawn" in response.get_json()["outcome"]
    assert transactions() == before and ledger.position(db.session()).cash == 10_000


def test_a_lost_dispute_closing_before_its_creation_takes_the_money_once(client, stripe_on, donor):
    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    send(client, "charge.dispute.closed", sh.dispute("dp_5", "pi_test_1", 10_000, "lost"), "e_c")
    send(client, "charge.dispute.created", sh.dispute("dp_5", "pi_test_1", 10_000), "e_o")
    db.session.refresh(gift)
    assert ledger.position(db.session()).cash == 0
    assert (gift.disputed_minor, gift.refunded_minor, gift.status) == (10_000, 0, "refunded")
    consistent()


def test_refunds_without_their_list_are_fetched_and_kept_apart_from_disputes(
    client, stripe_on, donor, monkeypatch
):
    from app.contributions import stripe_gateway

    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    send(client, "charge.dispute.created", sh.dispute("dp_6", "pi_test_1", 4_000), "evt_d")
    # Newer API versions send charge.refunded without the refunds: the app asks Stripe.
    monkeypatch.setattr(
        stripe_gateway,
        "refunds_of_charge",
        lambda charge_id: [sh.refund("re_new_1", "pi_test_1", 3_000)],
    )
    charge = sh.refunded_charge("pi_test_1", 10_000, [("re_new_1", 3_000)], with_list=False)
    response = send(client, "charge.refunded", charge, "evt_r")
    assert response.get_json()["outcome"] == "1 refund(s) recorded"
    # The refund's own event, later, changes nothing.
    again = send(client, "refund.created", sh.refund("re_new_1", "pi_test_1", 3_000), "evt_rc")
    assert again.get_json()["outcome"] == "refund already recorded"
    db.session.refresh(gift)
    assert (gift.refunded_minor, gift.disputed_minor, gift.status) == (3_000, 4_000, "received")
    assert ledger.position(db.session()).cash == 3_000
    consistent()


def test_refund_events_alone_record_refunds_and_a_failed_refund_gives_the_money_back(
    client, stripe_on, donor
):
    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    send(client, "refund.created", sh.refund("re_7", "pi_test_1", 2_500, "pending"), "e1")
    send(client, "charge.refund.updated", sh.refund("re_7", "pi_test_1", 2_500), "e2")
    assert ledger.position(db.session()).cash == 7_500
    send(client, "refund.failed", sh.refund("re_7", "pi_test_1", 2_500, "failed"), "e3")
    send(client, "refund.updated", sh.refund("re_7", "pi_test_1", 2_500, "failed"), "e4")
    db.session.refresh(gift)
    assert ledger.position(db.session()).cash == 10_000
    assert (gift.refunded_minor, gift.status) == (0, "received")
    consistent()


def test_when_stripe_cannot_list_the_refunds_the_event_waits(client, stripe_on, donor):
    pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    before = transactions()
    charge = sh.refunded_charge("pi_test_1", 10_000, [("re_8", 1_000)], with_list=False)
    response = send(client, "charge.refunded", charge, "evt_r")  # nothing listens on the API
    assert response.status_code == 503
    assert transactions() == before and db.session.get(StripeEvent, "evt_r") is None


def test_an_intent_never_attached_is_found_by_its_metadata(client, stripe_on, donor):
    gift = contributions.start_card_gift(db.session(), donor, "100")
    db.session.commit()  # the app stopped before the PaymentIntent was attached
    intent = sh.intent(
        "pi_orphan", 10_000, metadata={"contribution_id": str(gift.id), "donor_id": str(donor.id)}
    )
    response = send(client, "payment_intent.succeeded", intent, "evt_o")
    assert response.status_code == 200 and response.get_json()["outcome"] == "recorded"
    db.session.refresh(gift)
    assert (gift.payment_intent_id, gift.status, gift.received_minor) == (
        "pi_orphan",
        "received",
        10_000,
    )
    # Another intent naming the same gift is not attached over it.
    other = sh.intent("pi_other", 10_000, metadata={"contribution_id": str(gift.id)})
    assert send(client, "payment_intent.succeeded", other, "evt_x").status_code == 400
    consistent()


def test_a_fee_unknown_at_payment_is_recorded_later(client, stripe_on, donor, monkeypatch):

    gift = pending_gift(donor, amount="100")
    # Stripe is unreachable when the payment arrives: the fee is not known yet.
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000, charge="ch_1"), "e1")
    db.session.refresh(gift)
    assert (gift.fee_known, gift.fee_minor, gift.charge_id) == (False, 0, "ch_1")
    # charge.updated carries the balance transaction once Stripe has it.
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_test_1",
        "currency": "usd",
        "balance_transaction": {"id": "txn_1", "currency": "usd", "fee": 320},
    }
    assert send(client, "charge.updated", charge, "e2").get_json()["outcome"] == "fee recorded"
    assert send(client, "charge.updated", charge, "e3").get_json()["outcome"] == (
        "nothing to record"
    )
    db.session.refresh(gift)
    assert (gift.fee_known, gift.fee_minor) == (True, 320)
    assert ledger.position(db.session()).fees == 320
    consistent()


def test_the_job_looks_up_fees_stripe_did_not_know(runner, client, stripe_on, donor, monkeypatch):
    from app.contributions import stripe_gateway

    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000, charge="ch_9"), "e1")
    monkeypatch.setattr(stripe_gateway, "fee_for_charge", lambda charge_id, currency: 290)
    result = runner.invoke(args=["jobs", "run"])
    assert "card fees: 1 fee(s) recorded" in result.output, result.output
    db.session.refresh(gift)
    assert (gift.fee_known, gift.fee_minor) == (True, 290)
    again = runner.invoke(args=["jobs", "run"])
    assert "card fees: 0 fee(s) recorded" in again.output
    consistent()


def test_a_replayed_success_records_a_fee_that_is_known_now(client, stripe_on, donor, monkeypatch):
    from app.contributions import stripe_gateway

    gift = pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000, charge="ch_2"), "e1")
    monkeypatch.setattr(stripe_gateway, "fee_for_charge", lambda charge_id, currency: 150)
    again = send(
        client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000, "usd", "ch_2"), "e2"
    )
    assert again.get_json()["outcome"] == "already recorded; fee recorded"
    db.session.refresh(gift)
    assert gift.fee_minor == 150
    consistent()


def test_card_giving_is_off_without_keys(client, donor, factory):
    login(client, donor)
    page = client.get("/give").get_data(as_text=True)
    assert "Card giving is switched off" in page
    response = client.post(
        "/api/v1/donations", json={"amount": "10"}, headers=bearer(factory.token(donor))
    )
    assert response.status_code == 409 and "switched off" in response.get_json()["error"]["message"]
    assert db.session.execute(select(Contribution)).first() is None


def test_card_gifts_are_in_the_fund_currency(donor):
    with pytest.raises(ValidationError, match="fund's currency"):
        contributions.start_card_gift(db.session(), donor, "10", "EUR")


# -- documents and visibility ------------------------------------------------------------------------------


def test_receipt_pdf_and_who_may_read_it(client, factory, staff, donor):
    c = contributions.record_bank(
        db.session(), staff, donor, "10000", "EUR", rate="1.08", reference="EUR-9"
    )
    db.session.commit()
    login(client, donor)
    response = client.get(f"/contributions/{c.id}/receipt.pdf")
    text = pdf_text(response.data)
    assert (
        c.receipt_number in text
        and "€10,000.00" in text
        and "$10,800.00" in text
        and "1.08" in text
    )
    other = factory.user("donor")
    login(client, other)
    assert client.get(f"/contributions/{c.id}/receipt.pdf").status_code == 404
    assert client.get(f"/contributions/{c.id}").status_code == 404
    login(client, factory.user("auditor"))
    assert client.get(f"/contributions/{c.id}/receipt.pdf").status_code == 200


def test_statement_pdf_for_a_period(client, factory, staff, donor):
    contributions.record_bank(db.session(), staff, donor, "1500", "USD", reference="S-1")
    db.session.commit()
    login(client, donor)
    from app.core.database import today

    day = today().isoformat()
    response = client.get(f"/statement.pdf?date_from={day}&date_to={day}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Donor statement" in text and "$1,500.00" in text and "latest hash" in text
    backwards = client.get(f"/statement.pdf?date_from={day}&date_to=2000-01-01")
    assert backwards.status_code == 302


def test_a_donor_sees_its_own_gifts_and_the_whole_fund_not_other_donors(
    client, factory, staff, donor
):
    other = factory.user("donor", name="Private Person")
    contributions.record_bank(db.session(), staff, donor, "100", "USD", reference="A")
    contributions.record_bank(db.session(), staff, other, "200", "USD", reference="B")
    db.session.commit()
    login(client, donor)
    listing = client.get("/contributions").get_data(as_text=True)
    assert "$100.00" in listing and "$200.00" not in listing
    ledger_page = client.get("/ledger").get_data(as_text=True)
    assert "Private Person" not in ledger_page and "Open Rights Foundation" in ledger_page
    csv = client.get("/ledger.csv").get_data(as_text=True)
    assert "Private Person" not in csv


# -- corrections -------------------------------------------------------------------------------------------


def test_a_transfer_recorded_by_mistake_is_taken_back_by_two_officers(
    client, factory, staff, donor
):
    checker = factory.user("secretariat")
    transfer = contributions.record_bank(db.session(), staff, donor, "300", "USD", reference="OOPS")
    db.session.commit()
    login(client, staff)
    assert client.post(f"/contributions/{transfer.id}/correction", data={}).status_code == 200
    response = client.post(
        f"/contributions/{transfer.id}/correction", data={"reason": "Entered twice"}
    )
    assert response.status_code == 302
    page = client.get(f"/contributions/{transfer.id}").get_data(as_text=True)
    assert "Entered twice" in page and "A second officer must confirm" in page
    # The officer who asked cannot confirm; nothing moved yet.
    assert client.post(f"/contributions/{transfer.id}/correction/confirm").status_code == 403
    assert ledger.position(db.session()).cash == 30_000
    login(client, checker)
    client.post(f"/contributions/{transfer.id}/correction/confirm")
    db.session.refresh(transfer)
    assert transfer.status == "cancelled" and transfer.corrected_by_id == checker.id
    assert ledger.position(db.session()).cash == 0
    reversal = db.session.execute(
        select(LedgerTransaction).where(LedgerTransaction.kind == "reversal")
    ).scalar_one()
    assert reversal.actor_id == checker.id and "Entered twice" in reversal.memo
    consistent()


def test_a_transfer_taken_back_has_no_receipt_any_more(client, factory, staff, donor):
    from app.contributions import corrections

    transfer = contributions.record_bank(db.session(), staff, donor, "300", "USD", reference="OOPS")
    number = transfer.receipt_number
    db.session.commit()
    login(client, donor)
    assert client.get(f"/contributions/{transfer.id}/receipt.pdf").status_code == 200
    corrections.request_correction(db.session(), staff, transfer, "Entered twice")
    corrections.correct_bank(db.session(), factory.user("secretariat"), transfer)
    db.session.commit()
    assert transfer.receipt_number == number  # kept for the record, never reused
    assert client.get(f"/contributions/{transfer.id}/receipt.pdf").status_code == 404
    receipt_url = f"/contributions/{transfer.id}/receipt.pdf"
    for page in (f"/contributions/{transfer.id}", "/contributions", "/dashboard"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert receipt_url not in response.get_data(as_text=True), page


def test_a_correction_can_be_withdrawn_and_money_committed_is_not_taken_back(
    client, factory, staff, donor
):
    from tests import builders

    checker = factory.user("secretariat")
    transfer = builders.donate(factory, staff, "30000", donor=donor)
    board = builders.committee(factory, staff)
    builders.approved_grant(factory, staff, board, factory.user("applicant", state="FJI"))
    token = factory.token(staff)
    asked = client.post(
        f"/api/v1/contributions/{transfer.id}/correction",
        json={"reason": "wrong donor"},
        headers=bearer(token),
    )
    assert asked.status_code == 200 and asked.get_json()["correction"] == "pending"
    again = client.post(
        f"/api/v1/contributions/{transfer.id}/correction",
        json={"reason": "x"},
        headers=bearer(token),
    )
    assert again.status_code == 409
    refused = client.post(
        f"/api/v1/contributions/{transfer.id}/correction/confirm",
        headers=bearer(factory.token(checker)),
    )
    assert (
        refused.status_code == 409 and "already committed" in refused.get_json()["error"]["message"]
    )
    login(client, checker)
    client.post(f"/contributions/{transfer.id}/correction/withdraw")
    db.session.refresh(transfer)
    assert not transfer.correction_pending and transfer.status == "received"
    consistent()


def test_what_is_still_pledged_is_cancelled_with_a_reason(client, factory, staff, donor):
    pledge = contributions.record_pledge(db.session(), staff, donor, "1000", "EUR", rate="1.1")
    contributions.record_pledge_payment(db.session(), staff, pledge, "400", reference="T-1")
    db.session.commit()
    login(client, staff)
    assert client.post(f"/contributions/{pledge.id}/cancel", data={}).status_code == 200
    client.post(f"/contributions/{pledge.id}/cancel", data={"reason": "Budget cut"})
    db.session.refresh(pledge)
    assert pledge.status == "received" and pledge.original_amount_minor == 40_000
    assert pledge.base_amount_minor == pledge.received_minor == 44_000
    assert ledger.position(db.session()).pledges_outstanding == 0
    other = contributions.record_pledge(db.session(), staff, donor, "50", "USD")
    db.session.commit()
    response = client.post(
        f"/api/v1/contributions/{other.id}/cancel",
        json={"reason": "never paid"},
        headers=bearer(factory.token(staff)),
    )
    assert response.get_json()["status"] == "cancelled"
    consistent()


def test_a_cancelled_pledge_is_not_a_negative_gift_on_the_statement(client, staff, donor):
    from app.core.database import today

    pledge = contributions.record_pledge(db.session(), staff, donor, "1000", "USD")
    contributions.record_pledge_payment(db.session(), staff, pledge, "400", reference="T-1")
    from app.contributions import corrections

    corrections.cancel_pledge(db.session(), staff, pledge, "Budget cut")
    db.session.commit()
    login(client, donor)
    day = today().isoformat()
    text = pdf_text(client.get(f"/statement.pdf?date_from={day}&date_to={day}").data)
    footer = text.split("Received in the period (net of refunds)")[1]
    assert footer.strip().startswith("$400.00"), footer[:80]


# -- the payment page ---------------------------------------------------------------------------------------


def test_the_payment_page_creates_the_intent_once_and_never_while_holding_a_lock(
    client, stripe_on, donor, monkeypatch
):
    from app.contributions import stripe_gateway

    calls = []

    def create(gift):
        assert not db.session().in_transaction(), "Stripe called inside a database transaction"
        calls.append(("create", gift.idempotency_key))
        return "pi_page_1", "pi_page_1_secret_a"

    def retrieve(intent_id):
        assert not db.session().in_transaction(), "Stripe called inside a database transaction"
        calls.append(("retrieve", intent_id))
        return f"{intent_id}_secret_a"

    monkeypatch.setattr(stripe_gateway, "create_payment_intent", create)
    monkeypatch.setattr(stripe_gateway, "client_secret_of", retrieve)
    gift = contributions.start_card_gift(db.session(), donor, "25")
    db.session.commit()
    login(client, donor)
    for _ in range(3):
        page = client.get(f"/give/{gift.id}")
        assert page.status_code == 200 and "pi_page_1_secret_a" in page.get_data(as_text=True)
    assert calls == [
        ("create", gift.idempotency_key),
        ("retrieve", "pi_page_1"),
        ("retrieve", "pi_page_1"),
    ]
    db.session.refresh(gift)
    assert gift.payment_intent_id == "pi_page_1"


def refuse_cards(monkeypatch):
    from app.contributions import stripe_gateway

    def refused(gift):
        raise stripe_gateway.StripeUnavailable("Your card was declined.")

    monkeypatch.setattr(stripe_gateway, "create_payment_intent", refused)


def test_a_refused_card_fails_the_gift_on_the_page(client, stripe_on, donor, monkeypatch):
    """The giving page and the API share one flow (card_gifts.py): when Stripe refuses the
    PaymentIntent the gift is marked failed with Stripe's reason, and the donor is told."""
    refuse_cards(monkeypatch)
    login(client, donor)
    response = client.post("/give", data={"amount": "25"})
    gift = db.session.execute(select(Contribution)).scalar_one()
    page = client.get(response.headers["Location"])
    assert page.status_code == 302 and page.headers["Location"].endswith("/give")
    shown = client.get("/give").get_data(as_text=True)
    assert "Card payments are not available right now: Your card was declined." in shown
    db.session.refresh(gift)
    assert (gift.status, gift.note) == ("failed", "Your card was declined.")


def test_a_refused_card_fails_the_gift_in_the_api(client, stripe_on, donor, factory, monkeypatch):
    refuse_cards(monkeypatch)
    response = client.post(
        "/api/v1/donations", json={"amount": "25"}, headers=bearer(factory.token(donor))
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        "the card processor refused the payment: Your card was declined."
    )
    gift = db.session.execute(select(Contribution)).scalar_one()
    assert (gift.status, gift.note) == ("failed", "Your card was declined.")


def test_a_payment_page_stripe_cannot_reread_leaves_the_gift_pending(
    client, stripe_on, donor, monkeypatch
):
    from app.contributions import stripe_gateway

    def unreachable(intent_id):
        raise stripe_gateway.StripeUnavailable("Stripe is unreachable.")

    monkeypatch.setattr(stripe_gateway, "client_secret_of", unreachable)
    gift = pending_gift(donor, "pi_reread")
    login(client, donor)
    assert client.get(f"/give/{gift.id}").headers["Location"].endswith("/give")
    db.session.refresh(gift)
    assert gift.status == "pending"


def test_a_gift_left_unpaid_past_the_idempotency_window_expires(
    client, stripe_on, donor, monkeypatch
):
    from datetime import timedelta

    from app.contributions import stripe_gateway
    from app.core.database import utcnow

    monkeypatch.setattr(
        stripe_gateway,
        "create_payment_intent",
        lambda gift: pytest.fail("no PaymentIntent may be created after 24 hours"),
    )
    gift = contributions.start_card_gift(db.session(), donor, "25")
    gift.created_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    login(client, donor)
    response = client.get(f"/give/{gift.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/give")
    db.session.refresh(gift)
    assert gift.status == "failed"


def test_a_partial_dispute_arriving_first_records_the_whole_payment(client, stripe_on, donor):
    gift = pending_gift(donor, amount="100")
    send(client, "charge.dispute.created", sh.dispute("dp_p", "pi_test_1", 4_000), "e1")
    db.session.refresh(gift)
    assert (gift.received_minor, gift.disputed_minor) == (10_000, 4_000)
    assert ledger.position(db.session()).cash == 6_000
    consistent()


def test_a_late_fee_beyond_the_cash_held_is_owed_to_the_processor(client, stripe_on, donor):
    gift = pending_gift(donor, amount="1")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 100, charge="ch_1"), "e1")
    send(client, "charge.dispute.created", sh.dispute("dp_f", "pi_test_1", 80), "e2")
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_test_1",
        "currency": "usd",
        "balance_transaction": {"id": "txn_1", "currency": "usd", "fee": 33},
    }
    assert send(client, "charge.updated", charge, "e3").status_code == 200
    position = ledger.position(db.session())
    assert (position.cash, position.fees, position.due_to_processor) == (0, 33, 13)
    db.session.refresh(gift)
    assert gift.fee_minor == 33
    consistent()
