"""Money that leaves the fund after it was committed (a card refund, a lost dispute, a fee
learnt late): it has already happened at the card processor, so it is recorded; grants not
yet accepted go back to the queue, newest first, until the commitments are covered again;
what active grants still hold beyond the cash is the fund's recorded shortfall, shown on the
fund's pages and covered first by the next money in (docs/money.md)."""

import pytest

from app.contributions import services as contributions
from app.core.errors import Conflict
from app.extensions import db
from app.grants import services as grants
from app.grants.models import GrantStatus
from app.ledger import checks, postings
from app.ledger import services as ledger
from app.ledger.models import TransactionKind
from tests import builders
from tests import stripe_helpers as sh
from tests.conftest import assert_ledger_holds as consistent
from tests.factories import login


def card_gift(client, factory, amount_minor, pi="pi_sf_1"):
    """A card gift, paid through the signed webhook."""
    gift = contributions.start_card_gift(
        db.session(), factory.user("donor"), f"{amount_minor / 100:.2f}"
    )
    contributions.attach_payment_intent(db.session(), gift, pi)
    db.session.commit()
    assert (
        sh.send(
            client, "payment_intent.succeeded", sh.intent(pi, amount_minor), f"e_{pi}"
        ).status_code
        == 200
    )
    return gift


def refund(client, pi, amount_minor, refund_id="re_sf_1"):
    response = sh.send(client, "refund.created", sh.refund(refund_id, pi, amount_minor), refund_id)
    assert response.status_code == 200, response.get_json()
    return response


def grant_of(factory, staff, board, state, amount="20000"):
    return builders.approved_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state=state),
        budget=[builders.BudgetLineSpec("training", "x", amount)],
    )


def test_a_refund_after_a_commitment_puts_the_grant_back_in_the_queue(
    client, stripe_on, factory, staff, board
):
    card_gift(client, factory, 2_500_000)
    fiji = grant_of(factory, staff, board, "FJI")
    assert fiji.status == GrantStatus.AWAITING_ACCEPTANCE
    refund(client, "pi_sf_1", 1_000_000)
    db.session.refresh(fiji)
    assert fiji.status == GrantStatus.AWAITING_FUNDS and fiji.committed_at is None
    assert postings.commitment_outstanding(db.session(), fiji.id) == 0
    position = ledger.position(db.session())
    assert (position.cash, position.committed, position.shortfall) == (1_500_000, 0, 0)
    assert position.available == 1_500_000
    consistent()
    # The State is told, and cannot accept until the money is there again.
    from app.core.mail import OutboxMessage

    kinds = db.session.execute(db.select(OutboxMessage.kind)).scalars().all()
    assert "grant_waiting_again" in kinds
    # The next contribution commits it again, in its place in the queue.
    builders.donate(factory, staff, "5000")
    db.session.refresh(fiji)
    assert fiji.status == GrantStatus.AWAITING_ACCEPTANCE
    consistent()


def test_grants_not_yet_accepted_go_back_newest_first_and_only_as_many_as_needed(
    client, stripe_on, factory, staff, board
):
    card_gift(client, factory, 6_000_000)
    older = grant_of(factory, staff, board, "FJI")
    middle = grant_of(factory, staff, board, "MWI")
    newest = grant_of(factory, staff, board, "NPL", amount="10000")
    assert {older.status, middle.status, newest.status} == {GrantStatus.AWAITING_ACCEPTANCE}
    # Cash 60,000 for 50,000 committed; a refund of 15,000 leaves 45,000: one grant goes.
    refund(client, "pi_sf_1", 1_500_000)
    for grant in (older, middle, newest):
        db.session.refresh(grant)
    assert (older.status, middle.status, newest.status) == (
        GrantStatus.AWAITING_ACCEPTANCE,
        GrantStatus.AWAITING_ACCEPTANCE,
        GrantStatus.AWAITING_FUNDS,
    )
    assert ledger.position(db.session()).available == 500_000
    consistent()


def test_active_grants_beyond_the_cash_are_the_recorded_shortfall(
    client, stripe_on, factory, staff, checker, board
):
    card_gift(client, factory, 2_000_000)
    fiji = factory.user("applicant", state="FJI")
    active = builders.active_grant(
        factory, staff, board, fiji, budget=[builders.BudgetLineSpec("training", "x", "20000")]
    )
    waiting = grant_of(factory, staff, board, "MWI", amount="5000")
    assert waiting.status == GrantStatus.AWAITING_FUNDS
    sh.send(client, "charge.dispute.created", sh.dispute("dp_sf", "pi_sf_1", 800_001), "e_dp")
    position = ledger.position(db.session())
    assert (position.cash, position.committed, position.shortfall) == (
        1_199_999,
        2_000_000,
        800_001,
    )
    assert position.available == 0 and ledger.available(db.session()) == -800_001
    consistent()
    # Shown on the fund's public page and on the secretariat's dashboard.
    assert "The fund is short by $8,000.01" in client.get("/fund").get_data(as_text=True)
    login(client, staff)
    assert "The fund is short by $8,000.01" in client.get("/dashboard").get_data(as_text=True)
    # The active grant is still paid while the cash lasts, never beyond it.
    release = grants.create_disbursement(db.session(), staff, active, "12000")
    with pytest.raises(Conflict, match="cash does not cover"):
        grants.approve_disbursement(db.session(), checker, release, "BNK")
    db.session.rollback()
    grants.cancel_disbursement(db.session(), staff, release)
    paid = grants.create_disbursement(db.session(), staff, active, "11999.99")
    grants.approve_disbursement(db.session(), checker, paid, "BNK")
    db.session.commit()
    position = ledger.position(db.session())
    assert (position.cash, position.committed, position.shortfall) == (0, 800_001, 800_001)
    consistent()
    # New money covers the shortfall first; the waiting grant is committed only after.
    builders.donate(factory, staff, "10000")
    db.session.refresh(waiting)
    position = ledger.position(db.session())
    assert position.shortfall == 0 and position.available == 199_999
    assert waiting.status == GrantStatus.AWAITING_FUNDS
    builders.donate(factory, staff, "3000.01")
    db.session.refresh(waiting)
    assert waiting.status == GrantStatus.AWAITING_ACCEPTANCE
    consistent()


def test_cancelling_a_grant_in_a_shortfall_releases_the_uncovered_part_first(
    client, stripe_on, factory, staff, board
):
    card_gift(client, factory, 2_000_000)
    active = builders.active_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state="FJI"),
        budget=[builders.BudgetLineSpec("training", "x", "20000")],
    )
    refund(client, "pi_sf_1", 500_000)
    assert ledger.position(db.session()).shortfall == 500_000
    grants.cancel(db.session(), staff, active, "The government withdrew")
    db.session.commit()
    position = ledger.position(db.session())
    assert (position.cash, position.committed, position.shortfall) == (1_500_000, 0, 0)
    assert position.available == 1_500_000
    consistent()


def test_a_late_fee_is_money_out_too(client, stripe_on, factory, staff, board):
    gift = contributions.start_card_gift(db.session(), factory.user("donor"), "20000.50")
    contributions.attach_payment_intent(db.session(), gift, "pi_fee")
    db.session.commit()
    sh.send(client, "payment_intent.succeeded", sh.intent("pi_fee", 2_000_050), "e1")
    grant = grant_of(factory, staff, board, "FJI", amount="20000.50")
    assert grant.status == GrantStatus.AWAITING_ACCEPTANCE
    charge = {
        "id": "ch_fee",
        "object": "charge",
        "payment_intent": "pi_fee",
        "currency": "usd",
        "balance_transaction": {"id": "txn_1", "currency": "usd", "fee": 6_030},
    }
    sh.send(client, "charge.updated", charge, "e2")
    db.session.refresh(grant)
    assert grant.status == GrantStatus.AWAITING_FUNDS
    consistent()


@pytest.mark.breaks_ledger
def test_verify_finds_commitments_above_the_cash_without_a_recorded_shortfall(
    runner, client, stripe_on, factory, staff, board
):
    """What a refund did before the shortfall existed: cash below what is committed."""
    gift = card_gift(client, factory, 2_500_000)
    grant_of(factory, staff, board, "FJI")
    postings.money_back(
        db.session(),
        TransactionKind.REFUND,
        donor_id=gift.donor_id,
        donor_name="D",
        amount_minor=2_500_000,
        external_id="stripe:re_raw",
    )
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "left the funds set aside (2000050) above the cash held" in result.output or (
        "exceed the cash held" in result.output
    ), result.output


@pytest.mark.breaks_ledger
def test_verify_finds_a_shortfall_that_money_received_did_not_cover(
    client, stripe_on, factory, staff, board
):
    card_gift(client, factory, 2_000_000)
    builders.active_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state="FJI"),
        budget=[builders.BudgetLineSpec("training", "x", "20000")],
    )
    refund(client, "pi_sf_1", 500_000)
    assert [str(p) for p in checks.iter_problems(db.session())] == []
    # Money posted without covering the shortfall (what a path forgetting it would do).
    donor = factory.user("donor")
    postings.receipt(db.session(), donor_id=donor.id, donor_name="D", amount_minor=100)
    problems = [str(p) for p in checks.iter_problems(db.session())]
    assert any("a shortfall of 500000 is recorded" in p for p in problems), problems
