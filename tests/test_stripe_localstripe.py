"""Card giving end to end against localstripe: the app creates the PaymentIntent over HTTP,
the test confirms it as the browser would, localstripe sends the signed webhook, and exactly
one contribution is recorded — then replays, reordering and bad signatures change nothing."""

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth import services as auth
from app.contributions.models import Contribution, StripeEvent
from app.extensions import db
from app.fund.checks import iter_problems as money_problems
from app.ledger import checks
from app.ledger.models import LedgerTransaction
from tests import stripe_helpers as sh
from tests.browser import person, sign_in
from tests.servers import free_port

pytestmark = pytest.mark.live
PUBLISHABLE = "pk_test_localstripe"
SECRET = "sk_test_localstripe"


@pytest.fixture
def localstripe(tmp_path):
    port = free_port()
    server = Path(__file__).with_name("localstripe_server.py")
    process = subprocess.Popen(
        [
            sys.executable,
            str(server),
            "--port",
            str(port),
            "--data",
            str(tmp_path / "localstripe.pickle"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def call(base, path, data=None, key=SECRET):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(
        base + path, data=body, method="POST" if data is not None else "GET"
    )
    request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode() or "{}"
        return json.loads(text)


@pytest.fixture
def shop(live_server, localstripe):
    live_server.app.config.update(
        STRIPE_SECRET_KEY=SECRET,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE,
        STRIPE_WEBHOOK_SECRET=sh.WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe,
    )
    call(
        localstripe,
        "/_config/webhooks/sptf",
        {"url": f"{live_server.url}/stripe/webhook", "secret": sh.WEBHOOK_SECRET},
    )
    with live_server.app.app_context():
        donor = db.session.merge(person("donor", state="NOR", name="Kari Nordmann"))
        _token, token = auth.create_api_token(db.session(), donor, "test")
        db.session.commit()
    return live_server, localstripe, token


def donate(live, token, amount="50.00"):
    request = urllib.request.Request(
        f"{live.url}/api/v1/donations",
        data=json.dumps({"amount": amount}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 201
        return json.loads(response.read())


def confirm_as_the_browser_would(stripe_base, intent_id):
    """What Stripe.js does with the card the donor types: a PaymentMethod, then confirm.
    (localstripe accepts the publishable key on fewer routes than Stripe, so the test signs
    these calls with the secret key.)"""
    method = call(
        stripe_base,
        "/v1/payment_methods",
        {
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
        },
    )
    call(stripe_base, f"/v1/payment_intents/{intent_id}", {"payment_method": method["id"]})
    return call(stripe_base, f"/v1/payment_intents/{intent_id}/confirm", {})


def wait_for(app, pi_id, status="received", timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with app.app_context():
            contribution = db.session.execute(
                select(Contribution).where(Contribution.payment_intent_id == pi_id)
            ).scalar_one()
            if contribution.status == status:
                return contribution
        time.sleep(0.2)
    pytest.fail(f"{pi_id} never became {status}")


def wait_for_event(app, pi_id, kind, timeout=15):
    """The stored outcome of the first event of `kind` about this PaymentIntent's gift."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with app.app_context():
            outcome = db.session.execute(
                select(StripeEvent.outcome)
                .join(Contribution, Contribution.id == StripeEvent.contribution_id)
                .where(Contribution.payment_intent_id == pi_id, StripeEvent.type == kind)
                .order_by(StripeEvent.received_at)
                .limit(1)
            ).scalar_one_or_none()
            if outcome is not None:
                return outcome
        time.sleep(0.2)
    pytest.fail(f"no {kind} event was stored for {pi_id}")


def post_event(live, kind, obj, event_id, secret=sh.WEBHOOK_SECRET):
    payload = sh.event(kind, obj, event_id)
    request = urllib.request.Request(
        f"{live.url}/stripe/webhook",
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sh.signature(payload, secret),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_card_gift_through_localstripe_is_recorded_exactly_once(shop):
    live, stripe_base, token = shop
    created = donate(live, token)
    assert created["status"] == "pending" and created["client_secret"].startswith(
        created["payment_intent_id"]
    )
    intent_id = created["payment_intent_id"]
    confirmed = confirm_as_the_browser_would(stripe_base, intent_id)
    assert confirmed["status"] in ("succeeded", "processing")
    contribution = wait_for(live.app, intent_id)
    assert contribution.received_minor == 5_000 and contribution.receipt_number
    # localstripe has the charge's balance transaction (its fee is zero): the fee is known.
    assert wait_for_event(live.app, intent_id, "payment_intent.succeeded") == "recorded"
    assert (contribution.fee_known, contribution.fee_minor) == (True, 0)

    # Replays: the same event again, and the same payment under a new event id.
    intent = call(stripe_base, f"/v1/payment_intents/{intent_id}")
    status, body = post_event(live, "payment_intent.succeeded", intent, "evt_replay_1")
    assert (status, body["outcome"]) == (200, "already recorded")
    status, body = post_event(live, "payment_intent.succeeded", intent, "evt_replay_1")
    assert body["outcome"] == "duplicate event"
    # A forged event is refused and changes nothing.
    status, _body = post_event(
        live, "payment_intent.succeeded", intent, "evt_forged", secret="whsec_forged"
    )
    assert status == 400

    with live.app.app_context():
        receipts = db.session.execute(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.external_id == f"stripe:{intent_id}")
        ).scalar_one()
        assert receipts == 1
        assert list(checks.iter_problems(db.session())) == []
        assert list(money_problems(db.session())) == []


def test_events_out_of_order_and_a_refund(shop):
    live, stripe_base, token = shop
    intent_id = donate(live, token, "80.00")["payment_intent_id"]
    # The refund's event (which localstripe does not send) arrives before the success.
    status, body = post_event(
        live,
        "charge.refunded",
        sh.refunded_charge(intent_id, 8_000, [("re_ls_1", 3_000)]),
        "evt_ref_1",
    )
    assert status == 200, body
    confirm_as_the_browser_would(stripe_base, intent_id)
    # localstripe's own success event arrives a moment later: wait for its stored outcome.
    outcome = wait_for_event(live.app, intent_id, "payment_intent.succeeded")
    # The payment was recorded from the refund's event, with its fee unknown; the success
    # event brings the fee from localstripe's balance transaction (zero there).
    assert outcome == "already recorded; fee recorded"
    with live.app.app_context():
        contribution = db.session.execute(
            select(Contribution).where(Contribution.payment_intent_id == intent_id)
        ).scalar_one()
        assert (contribution.received_minor, contribution.refunded_minor) == (8_000, 3_000)
        assert (contribution.fee_known, contribution.fee_minor) == (True, 0)
        assert list(checks.iter_problems(db.session())) == []
        assert list(money_problems(db.session())) == []


@pytest.mark.browser
def test_a_donor_gives_by_card_through_the_pages(shop, browser):
    """The give page, the payment page holding the PaymentIntent the app created at
    localstripe, the card confirmed as Stripe's Payment Element would, and the return page
    showing the gift once the signed webhook is in, with its receipt."""
    live, stripe_base, _token = shop
    with live.app.app_context():
        donor = person("donor", state="DEU", name="Greta Braun")
    page = browser.new_page()
    sign_in(page, live.url, donor)
    page.goto(f"{live.url}/give")
    page.get_by_label("Amount").fill("25")
    page.get_by_role("button", name="Continue to payment").click()
    form = page.locator("#payment-form")
    expect(form).to_have_attribute("data-publishable-key", PUBLISHABLE)
    client_secret = form.get_attribute("data-client-secret")
    intent_id = client_secret.split("_secret_")[0]
    assert call(stripe_base, f"/v1/payment_intents/{intent_id}")["amount"] == 2_500
    # Reloading the payment page keeps the same PaymentIntent (no second one at Stripe).
    page.reload()
    assert page.locator("#payment-form").get_attribute("data-client-secret") == client_secret

    confirm_as_the_browser_would(stripe_base, intent_id)
    wait_for(live.app, intent_id)
    page.goto(form.get_attribute("data-return-url") or "")
    expect(page.get_by_role("heading", level=1)).to_contain_text("$25.00")
    expect(page.locator("main")).to_contain_text("received")
    href = page.get_by_role("link", name="Receipt").get_attribute("href")
    receipt = page.request.get(live.url + href)
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
