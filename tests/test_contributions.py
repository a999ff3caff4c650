"""Contributions: transfers and pledges, card gifts through Stripe's signed webhook, refunds,
disputes, receipts and statements (DESIGN §3.3)."""

import io
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.contributions import services as contributions
from app.contributions.models import Contribution, ContributionStatus, StripeEvent
from app.core.errors import Conflict, PermissionDenied, ValidationError
from app.extensions import db
from app.ledger import checks
from app.ledger import services as ledger
from app.ledger.models import LedgerTransaction, TransactionKind
from app.money_checks import iter_problems as money_problems
from tests import stripe_helpers as sh
from tests.factories import bearer, login


@pytest.fixture
def staff(factory):
    return factory.user("secretariat")


@pytest.fixture
def donor(factory):
    return factory.user("donor", name="Open Rights Foundation")


def consistent():
    assert list(checks.iter_problems(db.session())) == []
    assert list(money_problems(db.session())) == []


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
        ("1e18", "USD", None, "too large"),
        ("100", "XXX", None, "not an ISO 4217"),
        ("100", "EUR", None, "exchange rate"),
        ("100", "EUR", "-1", "positive number"),
        ("100", "EUR", "abc", "exchange rate"),
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


def test_the_same_bank_reference_is_not_recorded_twice(staff, donor):
    contributions.record_bank(db.session(), staff, donor, "100", "USD", reference="SAME")
    with pytest.raises(Conflict, match="already recorded"):
        contributions.record_bank(db.session(), staff, donor, "100", "USD", reference="SAME")


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


@pytest.fixture
def stripe_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", sh.WEBHOOK_SECRET)
    monkeypatch.setitem(
        app.config, "STRIPE_API_BASE", "http://127.0.0.1:9"
    )  # nothing listens: fees unknown


def pending_gift(donor, pi_id="pi_test_1", amount="100"):
    gift = contributions.start_card_gift(db.session(), donor, amount)
    contributions.attach_payment_intent(db.session(), gift, pi_id)
    db.session.commit()
    return gift


def send(client, kind, obj, event_id, *, secret=sh.WEBHOOK_SECRET, timestamp=None):
    payload = sh.event(kind, obj, event_id)
    return client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sh.signature(payload, secret, timestamp)},
    )


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
    pending_gift(donor, amount="100")
    send(client, "payment_intent.succeeded", sh.intent("pi_test_1", 10_000), "evt_p")
    # Most of the money has left the fund before the card holder's bank claws it back.
    cash = ledger.fixed(db.session(), ledger.CASH)
    fees = ledger.fixed(db.session(), ledger.FEES)
    ledger.post(
        db.session(), TransactionKind.FEE, [ledger.Leg(fees, 9_000), ledger.Leg(cash, -9_000)]
    )
    db.session.commit()
    send(client, "charge.dispute.created", sh.dispute("dp_2", "pi_test_1", 10_000), "evt_d")
    position = ledger.position(db.session())
    assert position.cash == 0 and position.due_to_processor == 9_000
    assert list(checks.iter_problems(db.session())) == []  # the fee posting has no record behind it


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


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


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
