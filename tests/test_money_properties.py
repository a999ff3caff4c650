"""Random sequences of money events never break the ledger's invariants (design.md §7).

Each example plays a history of transfers, pledges (in dollars, euros and yen, paid at the
pledge's rate or another), cancelled pledges, corrected transfers, card gifts whose Stripe
events (payments, refunds, refund failures, disputes, fees learnt later) are delivered as
signed webhooks through the real endpoint in any order and replayed, approvals, acceptances,
maker–checker releases, interim reports, suspensions, resumptions, cancellations and
completions. After every step these hold exactly:

- every transaction has two or more entries summing to zero;
- cash ≥ 0;
- per grant, 0 ≤ disbursed ≤ committed ≤ approved, and its status matches its commitment;
- the funds set aside never exceed the cash; outstanding commitments exceed the cash only by
  the recorded shortfall, which is exactly the uncovered part, and no grant not yet accepted
  keeps its commitment during a shortfall;
- sources and uses agree: received − disbursed − fees + owed to the processor = cash;
- each card gift keeps exactly what Stripe's side of the story says, whatever the order in
  which its events arrived; each pledge is settled exactly when its own currency is paid;
- `ledger verify` finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.contributions import corrections, stripe_gateway
from app.contributions import services as contributions
from app.contributions.models import Contribution
from app.core.errors import DomainError
from app.core.money import Money
from app.extensions import db
from app.fund.checks import all_problems
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus
from app.ledger import postings
from app.ledger import services as ledger
from app.ledger.models import Entry
from tests import builders
from tests import stripe_helpers as sh
from tests.conftest import isolated_example
from tests.factories import Factory

amount = st.integers(min_value=1, max_value=3_000_000)  # minor units
pick = st.integers(min_value=0, max_value=7)
share = st.integers(min_value=1, max_value=100)
CURRENCIES = [("USD", None), ("EUR", "1.0850"), ("EUR", "1.009"), ("JPY", "0.0067")]

# The arguments of each operation.
ARGUMENTS = {
    "bank": st.tuples(pick, amount),
    "pledge": st.tuples(pick, amount, st.sampled_from(CURRENCIES)),
    "pledge_payment": st.tuples(pick, share, st.sampled_from([None, "1.2", "0.95"])),
    "pledge_cancel": st.tuples(pick),
    "correct": st.tuples(pick),
    "card": st.tuples(pick, amount),
    # What happens at Stripe: each adds the events it causes to the delivery queue.
    "stripe_refund": st.tuples(pick, share, st.booleans()),
    "stripe_refund_fails": st.tuples(pick),
    "stripe_dispute": st.tuples(pick, st.sampled_from(["won", "lost", "inquiry"])),
    "stripe_fee": st.tuples(pick, st.integers(min_value=0, max_value=5_000)),
    # Delivery: any waiting event (so they arrive in any order), or one again (a replay).
    "deliver": st.tuples(pick),
    "replay": st.tuples(pick, st.booleans()),
    "approve": st.tuples(share),
    "accept": st.tuples(pick),
    "release": st.tuples(pick, share),
    "interim": st.tuples(pick),
    "suspend": st.tuples(pick),
    "resume": st.tuples(pick),
    "cancel": st.tuples(pick),
    "complete": st.tuples(pick),
    "commit_waiting": st.tuples(),
}
# How often each comes up: card money and its events, approvals sized to what the fund
# holds and deliveries come often, so refunds and disputes land after commitments.
WEIGHTS = {
    "card": 3,
    "deliver": 6,
    "approve": 3,
    "accept": 3,
    "stripe_refund": 2,
    "stripe_dispute": 3,
}
KINDS = [kind for kind in ARGUMENTS for _ in range(WEIGHTS.get(kind, 1))]
OPERATIONS = st.sampled_from(KINDS).flatmap(
    lambda kind: ARGUMENTS[kind].map(lambda args: (kind, *args))
)


@dataclass
class Gift:
    """A card gift, and Stripe's side of its story."""

    contribution: Contribution
    pi: str
    amount: int
    paid: bool = False
    refunds: dict[str, list] = field(default_factory=dict)  # id → [amount, status]
    dispute: tuple[str, int, str] | None = None  # (id, amount, outcome)

    @property
    def charge(self) -> str:
        return f"ch_{self.pi[3:]}"

    def refundable(self) -> int:
        """What Stripe would still let be refunded or disputed (conservatively, a failed
        refund's amount is not offered again: its failure may not have been heard yet)."""
        held = sum(a for a, _status in self.refunds.values())
        disputed = self.dispute[1] if self.dispute and self.dispute[2] != "inquiry" else 0
        return self.amount - held - disputed


@dataclass
class World:
    staff: object
    checker: object
    board: object
    client: object
    donors: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    pledges: list = field(default_factory=list)
    banks: list = field(default_factory=list)
    gifts: list = field(default_factory=list)
    grants: list = field(default_factory=list)
    queue: list = field(default_factory=list)  # (gift, kind, object, event id) not yet sent
    sent: list = field(default_factory=list)
    # What the app has heard, per gift: refunds (taken / failed), dispute facts.
    heard: dict = field(default_factory=dict)
    fees: dict = field(default_factory=dict)  # charge id → fee Stripe reports when asked
    delivered: set = field(default_factory=set)  # event ids the app has answered
    n: int = 0


def _nth(items, i):
    return items[i % len(items)] if items else None


def _money(minor: int, currency: str = "USD") -> str:
    return Money(minor, currency).as_string()


def _charge(gift: Gift) -> dict:
    refunds = [(rid, a) for rid, (a, _s) in gift.refunds.items()]
    charge = sh.refunded_charge(gift.pi, gift.amount, refunds)
    for refund in charge["refunds"]["data"]:
        refund["status"] = gift.refunds[refund["id"]][1]
    return charge


def _queue(world: World, gift: Gift, kind: str, obj: dict) -> None:
    world.n += 1
    world.queue.append((gift, kind, obj, f"evt_{world.n}"))


def stripe(world: World, kind: str, args: list) -> None:
    """Something happens at Stripe; its events wait to be delivered."""
    gift = _nth(world.gifts, args[0])
    if gift is None:
        return
    if kind == "stripe_refund" and gift.paid and gift.refundable() > 0:
        world.n += 1
        refund_id = f"re_{world.n}"
        gift.refunds[refund_id] = [max(1, gift.refundable() * args[1] // 100), "succeeded"]
        if args[2]:  # an older API version: the charge with its refund list
            _queue(world, gift, "charge.refunded", _charge(gift))
        else:  # a newer one: the refund's own event, and the charge without the list
            _queue(
                world,
                gift,
                "refund.created",
                sh.refund(refund_id, gift.pi, gift.refunds[refund_id][0]),
            )
            bare = _charge(gift)
            del bare["refunds"]
            _queue(world, gift, "charge.refunded", bare)
    elif kind == "stripe_refund_fails":
        live = [rid for rid, (_a, status) in gift.refunds.items() if status != "failed"]
        if live:
            gift.refunds[live[0]][1] = "failed"
            _queue(
                world,
                gift,
                "refund.updated",
                sh.refund(live[0], gift.pi, gift.refunds[live[0]][0], "failed"),
            )
    elif kind == "stripe_dispute" and gift.paid and gift.dispute is None and gift.refundable() > 0:
        dispute_id = f"dp_{gift.pi}"
        outcome = args[1]
        gift.dispute = (dispute_id, gift.refundable(), outcome)
        amount_ = gift.dispute[1]
        if outcome == "inquiry":
            _queue(
                world,
                gift,
                "charge.dispute.created",
                sh.dispute(dispute_id, gift.pi, amount_, "warning_needs_response"),
            )
            _queue(
                world,
                gift,
                "charge.dispute.closed",
                sh.dispute(dispute_id, gift.pi, amount_, "warning_closed"),
            )
        else:
            _queue(world, gift, "charge.dispute.created", sh.dispute(dispute_id, gift.pi, amount_))
            _queue(
                world,
                gift,
                "charge.dispute.funds_withdrawn",
                sh.dispute(dispute_id, gift.pi, amount_),
            )
            _queue(
                world,
                gift,
                "charge.dispute.closed",
                sh.dispute(dispute_id, gift.pi, amount_, outcome),
            )
            if outcome == "won":
                _queue(
                    world,
                    gift,
                    "charge.dispute.funds_reinstated",
                    sh.dispute(dispute_id, gift.pi, amount_, "won"),
                )
    elif kind == "stripe_fee" and gift.paid and gift.charge not in world.fees:
        world.fees[gift.charge] = min(args[1], gift.amount)
        charge = {
            "id": gift.charge,
            "object": "charge",
            "payment_intent": gift.pi,
            "currency": "usd",
            "balance_transaction": {
                "id": f"txn_{gift.pi}",
                "currency": "usd",
                "fee": world.fees[gift.charge],
            },
        }
        _queue(world, gift, "charge.updated", charge)


def deliver(world: World, event: tuple, event_id: str | None = None) -> None:
    gift, kind, obj, original_id = event
    event_id = event_id or original_id
    response = sh.send(world.client, kind, obj, event_id)
    assert response.status_code == 200, (kind, response.get_json())
    if event_id in world.delivered:
        # Stripe retrying an event: the app has heard it already, and hears nothing new
        # (a refund listed from Stripe since then is not fetched again for it).
        assert response.get_json()["outcome"] == "duplicate event"
        return
    world.delivered.add(event_id)
    heard = world.heard.setdefault(
        gift.pi, {"paid": False, "taken": {}, "failed": set(), "dispute": set()}
    )
    if kind == "payment_intent.succeeded":
        heard["paid"] = True
    elif kind in ("charge.refunded", "refund.created", "refund.updated"):
        refunds = (
            obj["refunds"]["data"]
            if "refunds" in obj
            else (
                [obj]
                if obj.get("object") == "refund"
                else [{"id": r, "amount": a, "status": s} for r, (a, s) in gift.refunds.items()]
            )
        )
        heard["paid"] = True
        for refund in refunds:
            heard["taken"][refund["id"]] = refund["amount"]
            if refund["status"] == "failed":
                heard["failed"].add(refund["id"])
    elif kind.startswith("charge.dispute."):
        status = obj["status"]
        if not status.startswith("warning_"):
            heard["paid"] = True
            heard["dispute"].add("withdrawn")
            if status == "won" or kind.endswith("funds_reinstated"):
                heard["dispute"].add("reinstated")


def run(world: World, op: tuple) -> None:
    world.n += 1
    kind, *args = op
    session = db.session()
    if kind.startswith("stripe_"):
        stripe(world, kind, args)
    elif kind == "deliver" and world.queue:
        event = world.queue.pop(args[0] % len(world.queue))
        world.sent.append(event)
        deliver(world, event)
    elif kind == "replay" and world.sent:
        event = _nth(world.sent, args[0])
        # The same event again (a retry), or the same news under a new event id.
        deliver(world, event, None if args[1] else f"{event[3]}_again_{world.n}")
    elif kind == "bank":
        world.banks.append(
            contributions.record_bank(
                session,
                world.staff,
                _nth(world.donors, args[0]),
                _money(args[1]),
                "USD",
                reference=f"T{world.n}",
            )
        )
    elif kind == "pledge":
        currency, rate = args[2]
        minor = args[1] if currency != "JPY" else args[1] * 10
        world.pledges.append(
            contributions.record_pledge(
                session,
                world.staff,
                _nth(world.donors, args[0]),
                _money(minor, currency),
                currency,
                rate=rate,
            )
        )
    elif kind == "pledge_payment" and world.pledges:
        pledge = _nth(world.pledges, args[0])
        owed = pledge.outstanding_original
        part = owed.amount_minor if args[1] > 90 else max(1, owed.amount_minor * args[1] // 100)
        rate = None if pledge.original_currency == "USD" else args[2]
        contributions.record_pledge_payment(
            session,
            world.staff,
            pledge,
            _money(part, pledge.original_currency),
            reference=f"P{world.n}",
            rate=rate,
        )
        # A pledge is settled exactly when what it was pledged in is paid.
        settled = pledge.received_original_minor == pledge.original_amount_minor
        assert (pledge.status == "received") == settled
        assert pledge.outstanding_minor == 0 if settled else pledge.outstanding_minor >= 0
    elif kind == "pledge_cancel" and world.pledges:
        corrections.cancel_pledge(
            session, world.staff, _nth(world.pledges, args[0]), "will not pay"
        )
    elif kind == "correct" and world.banks:
        transfer = _nth(world.banks, args[0])
        corrections.request_correction(session, world.staff, transfer, "entered twice")
        corrections.correct_bank(session, world.checker, transfer)
    elif kind == "card":
        contribution = contributions.start_card_gift(
            session, _nth(world.donors, args[0]), _money(args[1])
        )
        gift = Gift(contribution, f"pi_prop_{world.n}", args[1])
        contributions.attach_payment_intent(session, contribution, gift.pi)
        world.gifts.append(gift)
        gift.paid = True  # the donor pays: Stripe's event waits to be delivered
        _queue(
            world,
            gift,
            "payment_intent.succeeded",
            sh.intent(gift.pi, gift.amount, charge=gift.charge),
        )
    elif kind == "approve":
        # Often a share of what the fund can commit now; otherwise above it (the grant waits).
        applicant = _nth(world.applicants, world.n)
        free = ledger.available(session)
        wanted = free * args[0] // 100 if args[0] <= 80 else free + args[0] * 10_000
        wanted = min(max(wanted, 100_00), 48_000_00)
        budget = [builders.BudgetLineSpec("training", "x", _money(wanted))]
        world.grants.append(
            builders.approved_grant(None, world.staff, world.board, applicant, budget=budget)
        )
    elif kind == "accept" and world.grants:
        grant = _nth(world.grants, args[0])
        applicant = next(a for a in world.applicants if a.state_iso3 == grant.state_iso3)
        grants.accept(session, applicant, grant, name="A", title="B")
    elif kind == "release" and world.grants:
        grant = _nth(world.grants, args[0])
        part = max(1, grants.releasable_minor(session, grant) * args[1] // 100)
        release = grants.create_disbursement(session, world.staff, grant, _money(part))
        grants.approve_disbursement(session, world.checker, release, f"B{world.n}")
    elif kind == "interim" and world.grants:
        grants.interim_report_accepted(session, _nth(world.grants, args[0]), world.staff)
    elif kind == "suspend" and world.grants:
        grants.suspend(session, world.staff, _nth(world.grants, args[0]), "audit")
    elif kind == "resume" and world.grants:
        grants.resume(session, world.staff, _nth(world.grants, args[0]))
    elif kind == "cancel" and world.grants:
        grants.cancel(session, world.staff, _nth(world.grants, args[0]), "cancelled in a test")
    elif kind == "complete" and world.grants:
        grant = _nth(world.grants, args[0])
        grants.final_report_accepted(session, grant, world.staff)
        grants.complete(session, world.staff, grant)
    elif kind == "commit_waiting":
        grants.commit_waiting(session)


def assert_invariants(world: World) -> None:
    session = db.session()
    unbalanced = session.execute(
        select(Entry.transaction_id)
        .group_by(Entry.transaction_id)
        .having((func.sum(Entry.amount_minor) != 0) | (func.count() < 2))
    ).first()
    assert unbalanced is None
    p = ledger.position(session)
    assert p.cash >= 0
    set_aside = ledger.balance(session, ledger.COMMITTED_FUNDS)
    assert set_aside <= p.cash
    assert p.committed == set_aside + p.shortfall
    assert p.shortfall == max(0, p.committed - p.cash)
    assert p.received - p.disbursed - p.fees + p.due_to_processor == p.cash
    statuses = []
    for grant in session.execute(select(Grant)).unique().scalars():
        held = postings.commitment_outstanding(session, grant.id)
        paid = postings.disbursed(session, grant.id)
        assert 0 <= paid <= held + paid <= grant.amount_minor
        status = grant.status_enum
        statuses.append(status)
        if status is GrantStatus.AWAITING_FUNDS:
            assert held == paid == 0
        elif status in (GrantStatus.CANCELLED, GrantStatus.COMPLETED):
            assert held == 0
        else:
            assert held + paid == grant.amount_minor
    if p.shortfall:
        assert GrantStatus.AWAITING_ACCEPTANCE not in statuses
    # Each card gift keeps what the events it has heard say.
    for gift in world.gifts:
        heard = world.heard.get(gift.pi)
        c = gift.contribution
        session.refresh(c)
        if heard is None or not heard["paid"]:
            assert c.received_minor == 0
            continue
        refunded = sum(a for rid, a in heard["taken"].items() if rid not in heard["failed"])
        disputed = gift.dispute[1] if gift.dispute and heard["dispute"] == {"withdrawn"} else 0
        assert (c.received_minor, c.refunded_minor, c.disputed_minor) == (
            gift.amount,
            refunded,
            disputed,
        )
        assert c.status == ("refunded" if c.kept_minor == 0 else "received")
        if gift.charge in world.fees and c.fee_known:
            assert c.fee_minor == world.fees[gift.charge]


def assert_verify_passes() -> None:
    assert [str(problem) for problem in all_problems(db.session())] == []


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(st.lists(OPERATIONS, min_size=10, max_size=30))
def test_random_money_histories_keep_every_invariant(app, client, monkeypatch, operations):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", sh.WEBHOOK_SECRET)
    with isolated_example():
        factory = Factory(db.session)
        staff = factory.user("secretariat")
        world = World(
            staff=staff,
            checker=factory.user("secretariat"),
            board=builders.committee(factory, staff),
            client=client,
            donors=[factory.user("donor") for _ in range(3)],
            applicants=[factory.user("applicant", state=s) for s in ("FJI", "MWI", "NPL", "JAM")],
        )
        # Stripe's API, as the webhook asks it: fees only once Stripe reports them, and a
        # charge's refunds as Stripe's side of the story has them.
        monkeypatch.setattr(
            stripe_gateway, "fee_for_charge", lambda charge, _currency: world.fees.get(charge)
        )
        monkeypatch.setattr(
            stripe_gateway,
            "refunds_of_charge",
            lambda charge: next(
                (_charge(g)["refunds"]["data"] for g in world.gifts if g.charge == charge), []
            ),
        )
        for op in operations:
            try:
                run(world, op)
            except DomainError:
                db.session.rollback()  # a refused step changes nothing
            else:
                db.session.commit()
            assert_invariants(world)
        assert_verify_passes()  # everything `ledger verify` checks, at the end of the story
