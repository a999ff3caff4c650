"""Random sequences of money events never break the ledger's invariants (DESIGN §7):
every transaction sums to zero; cash ≥ 0; per grant disbursed ≤ committed; total committed
≤ total received; `ledger verify`'s checks all pass."""

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.contributions import services as contributions
from app.core.errors import DomainError
from app.core.money import Money
from app.extensions import db
from app.grants import services as grants
from app.ledger import checks, postings
from app.ledger import services as ledger
from app.ledger.models import Entry, LedgerTransaction, TransactionKind
from app.money_checks import iter_problems as money_problems
from tests import builders
from tests.conftest import isolated_example
from tests.factories import Factory

amount = st.integers(min_value=1, max_value=3_000_000)  # minor units
pick = st.integers(min_value=0, max_value=5)
share = st.integers(min_value=1, max_value=100)

OPERATIONS = st.one_of(
    st.tuples(st.just("bank"), pick, amount),
    st.tuples(st.just("pledge"), pick, amount),
    st.tuples(st.just("pledge_payment"), pick, share),
    st.tuples(st.just("card"), pick, amount),
    st.tuples(st.just("replay"), pick),
    st.tuples(st.just("refund"), pick, share),
    st.tuples(st.just("dispute"), pick),
    st.tuples(st.just("correct"), pick),
    st.tuples(st.just("approve"), st.integers(min_value=100_00, max_value=48_000_00)),
    st.tuples(st.just("accept"), pick),
    st.tuples(st.just("release"), pick, share),
    st.tuples(st.just("interim"), pick),
    st.tuples(st.just("cancel"), pick),
    st.tuples(
        st.just("commit_waiting"),
    ),
)


@dataclass
class World:
    staff: object
    checker: object
    board: object
    donors: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    pledges: list = field(default_factory=list)
    banks: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    grants: list = field(default_factory=list)
    n: int = 0


def _nth(items, i):
    return items[i % len(items)] if items else None


def run(world: World, op: tuple) -> None:
    world.n += 1
    kind, *args = op
    session = db.session()
    if kind == "bank":
        donor = _nth(world.donors, args[0])
        world.banks.append(
            contributions.record_bank(
                session,
                world.staff,
                donor,
                Money(args[1], "USD").as_string(),
                "USD",
                reference=f"T{world.n}",
            )
        )
    elif kind == "pledge":
        world.pledges.append(
            contributions.record_pledge(
                session,
                world.staff,
                _nth(world.donors, args[0]),
                Money(args[1], "USD").as_string(),
                "USD",
            )
        )
    elif kind == "pledge_payment" and world.pledges:
        pledge = _nth(world.pledges, args[0])
        part = max(1, pledge.outstanding_minor * args[1] // 100)
        contributions.record_pledge_payment(
            session, world.staff, pledge, Money(part, "USD").as_string(), reference=f"P{world.n}"
        )
    elif kind == "card":
        gift = contributions.start_card_gift(
            session, _nth(world.donors, args[0]), Money(args[1], "USD").as_string()
        )
        contributions.attach_payment_intent(session, gift, f"pi_prop_{world.n}")
        contributions.card_paid(
            session, gift, amount_minor=args[1], currency="USD", fee_minor=args[1] // 30
        )
        world.cards.append(gift)
    elif kind == "replay" and world.cards:
        gift = _nth(world.cards, args[0])
        assert (
            contributions.card_paid(
                session, gift, amount_minor=gift.original_amount_minor, currency="USD", fee_minor=5
            )
            is False
        )
    elif kind == "refund" and world.cards:
        gift = _nth(world.cards, args[0])
        contributions.money_returned(
            session,
            gift,
            kind=TransactionKind.REFUND,
            external_id=f"stripe:re_{world.n}",
            amount_minor=max(1, gift.received_minor * args[1] // 100),
            memo="refund",
        )
    elif kind == "dispute" and world.cards:
        gift = _nth(world.cards, args[0])
        for _ in range(2):  # replayed: the second changes nothing
            contributions.money_returned(
                session,
                gift,
                kind=TransactionKind.DISPUTE,
                external_id=f"stripe:dp_{gift.id}",
                amount_minor=gift.received_minor,
                memo="dispute",
            )
    elif kind == "correct" and world.banks:
        contributions.correct_bank(
            session, world.staff, _nth(world.banks, args[0]), "entered twice"
        )
    elif kind == "approve":
        applicant = _nth(world.applicants, world.n)
        budget = [builders.BudgetLineSpec("training", "x", Money(args[0], "USD").as_string())]
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
        release = grants.create_disbursement(
            session, world.staff, grant, Money(part, "USD").as_string()
        )
        grants.approve_disbursement(session, world.checker, release, f"B{world.n}")
    elif kind == "interim" and world.grants:
        grants.interim_report_accepted(session, _nth(world.grants, args[0]), world.staff)
    elif kind == "cancel" and world.grants:
        grants.cancel(
            session, world.staff, _nth(world.grants, args[0]), "cancelled in a property test"
        )
    elif kind == "commit_waiting":
        grants.commit_waiting(session)


def assert_invariants() -> None:
    session = db.session()
    unbalanced = session.execute(
        select(Entry.transaction_id)
        .group_by(Entry.transaction_id)
        .having(func.sum(Entry.amount_minor) != 0)
    ).first()
    assert unbalanced is None
    position = ledger.position(session)
    assert position.cash >= 0
    assert (
        position.committed + position.disbursed
        <= position.received + position.fees + position.due_to_processor + position.cash
    )
    for grant_id in session.execute(select(LedgerTransaction.grant_id).distinct()).scalars():
        if grant_id is not None:
            assert postings.commitment_outstanding(session, grant_id) >= 0
    problems = [str(p) for p in checks.iter_problems(session)] + [
        str(p) for p in money_problems(session)
    ]
    assert problems == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(st.lists(OPERATIONS, min_size=1, max_size=14))
def test_random_money_histories_keep_every_invariant(app, operations):
    with isolated_example():
        factory = Factory(db.session)
        staff = factory.user("secretariat")
        world = World(
            staff=staff,
            checker=factory.user("secretariat"),
            board=builders.committee(factory, staff),
            donors=[factory.user("donor") for _ in range(3)],
            applicants=[factory.user("applicant", state=s) for s in ("FJI", "MWI", "NPL", "JAM")],
        )
        for op in operations:
            try:
                run(world, op)
            except DomainError:
                db.session.rollback()  # a refused step changes nothing
            else:
                db.session.commit()
            assert_invariants()
