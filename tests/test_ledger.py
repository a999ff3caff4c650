"""The double-entry ledger: balanced, append-only, sign-guarded, verifiable (design.md §3.3)."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core.append_only import AppendOnlyViolation
from app.extensions import db
from app.ledger import checks, postings
from app.ledger import services as ledger
from app.ledger.models import Account, Entry, LedgerTransaction, MonthTotal, TransactionKind
from app.ledger.services import LedgerError, Leg
from tests import builders

# Unit tests of the ledger layer: postings without contributions or grants behind them.
pytestmark = pytest.mark.raw_postings


def test_a_transaction_is_balanced_and_needs_two_entries():
    cash = ledger.fixed(db.session(), ledger.CASH)
    fees = ledger.fixed(db.session(), ledger.FEES)
    with pytest.raises(LedgerError, match="sum to zero"):
        ledger.post(db.session(), TransactionKind.FEE, [Leg(fees, 100), Leg(cash, -99)])
    with pytest.raises(LedgerError, match="two non-zero"):
        ledger.post(db.session(), TransactionKind.FEE, [Leg(fees, 100)])


def test_cash_can_never_go_negative(factory):
    cash = ledger.fixed(db.session(), ledger.CASH)
    fees = ledger.fixed(db.session(), ledger.FEES)
    with pytest.raises(LedgerError, match="Fund cash cannot go below zero"):
        ledger.post(db.session(), TransactionKind.FEE, [Leg(fees, 100), Leg(cash, -100)])
    # A refusal leaves no account touched, even in the session's memory.
    assert (cash.balance_minor, fees.balance_minor) == (0, 0)
    assert ledger.balance(db.session(), ledger.CASH) == 0


def test_the_database_refuses_a_wrong_sign_too():
    ledger.fixed(db.session(), ledger.CASH)
    db.session.flush()
    savepoint = db.session.begin_nested()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE ledger_accounts SET balance_minor = -1 WHERE code = 'cash'")
        )
    savepoint.rollback()


def test_receipt_and_balances(factory):
    donor = factory.user("donor", name="Norway")
    postings.receipt(db.session(), donor_id=donor.id, donor_name="Norway", amount_minor=50_000)
    position = ledger.position(db.session())
    assert (position.cash, position.received, position.available, position.committed) == (
        50_000,
        50_000,
        50_000,
        0,
    )
    assert ledger.balance(db.session(), f"contributions:donor:{donor.id}") == -50_000


def test_commitment_never_exceeds_what_is_uncommitted(factory):
    donor = factory.user("donor")
    postings.receipt(db.session(), donor_id=donor.id, donor_name="D", amount_minor=1_000)
    with pytest.raises(LedgerError, match="not hold enough"):
        postings.commitment(db.session(), grant_id=None, reference="X", amount_minor=1_001)  # type: ignore[arg-type]


def test_entries_and_transactions_are_append_only(factory):
    donor = factory.user("donor")
    transaction = postings.receipt(
        db.session(), donor_id=donor.id, donor_name="D", amount_minor=100
    )
    db.session.commit()
    entry = (
        db.session.execute(select(Entry).where(Entry.transaction_id == transaction.id))
        .scalars()
        .first()
    )
    entry.amount_minor = 999
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    for statement in (
        "UPDATE ledger_entries SET amount_minor = 1",
        "DELETE FROM ledger_transactions",
    ):
        savepoint = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        savepoint.rollback()


def test_a_reversal_mirrors_once(factory):
    donor = factory.user("donor")
    original = postings.receipt(db.session(), donor_id=donor.id, donor_name="D", amount_minor=700)
    reversal = ledger.reverse(db.session(), original, memo="entered twice by mistake")
    assert sorted(e.amount_minor for e in reversal.entries) == [-700, 700]
    assert ledger.balance(db.session(), ledger.CASH) == 0
    with pytest.raises(Exception, match="already reversed"):
        ledger.reverse(db.session(), original)
    assert list(checks.iter_problems(db.session())) == []


def test_external_ids_are_unique(factory):
    donor = factory.user("donor")
    postings.receipt(
        db.session(), donor_id=donor.id, donor_name="D", amount_minor=100, external_id="stripe:pi_1"
    )
    with pytest.raises(ledger.Duplicate):
        postings.receipt(
            db.session(),
            donor_id=donor.id,
            donor_name="D",
            amount_minor=100,
            external_id="stripe:pi_1",
        )


def _bypass(table):
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
    else:
        db.session.execute(text(f"DROP TRIGGER {table}_no_update"))


def _received(factory):
    """A real contribution (so the cross-checks with the records hold) and its transaction."""
    builders.donate(factory, factory.user("secretariat"), "5")
    return db.session.execute(select(LedgerTransaction)).scalars().first()


@pytest.mark.breaks_ledger
def test_verify_passes_and_names_an_edited_entry(runner, factory):
    transaction = _received(factory)
    ok = runner.invoke(args=["ledger", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "Ledger OK" in ok.output
    _bypass("ledger_entries")
    entry_id = min(e.id for e in transaction.entries)
    db.session.execute(
        text("UPDATE ledger_entries SET amount_minor = amount_minor + 1 WHERE id = :id"),
        {"id": entry_id},
    )
    db.session.commit()
    broken = runner.invoke(args=["ledger", "verify"])
    assert broken.exit_code == 1
    assert f"transaction {transaction.id}" in broken.output


@pytest.mark.breaks_ledger
def test_verify_names_a_tampered_balance(runner, factory):
    _received(factory)
    db.session.execute(text("UPDATE ledger_accounts SET balance_minor = 900 WHERE code = 'cash'"))
    db.session.commit()
    broken = runner.invoke(args=["ledger", "verify"])
    assert broken.exit_code == 1 and "account cash" in broken.output


@pytest.mark.raw_postings  # the reversal has no correction record behind it
def test_month_totals_follow_the_entries(factory):
    transaction = _received(factory)
    month = transaction.effective_on.replace(day=1)
    kept = {
        (row.account_id, row.month, row.kind): row.amount_minor
        for row in db.session.execute(select(MonthTotal)).scalars()
    }
    assert kept == {
        (entry.account_id, month, transaction.kind.value): entry.amount_minor
        for entry in transaction.entries
    }
    ledger.reverse(db.session(), transaction)
    assert {
        row.amount_minor
        for row in db.session.execute(select(MonthTotal)).scalars()
        if row.kind == "reversal"
    } == {-entry.amount_minor for entry in transaction.entries}


@pytest.mark.breaks_ledger
def test_verify_names_a_tampered_month_total(runner, factory):
    _received(factory)
    db.session.execute(
        text(
            "UPDATE ledger_month_totals SET amount_minor = amount_minor + 5 WHERE kind = 'contribution'"
        )
    )
    db.session.commit()
    broken = runner.invoke(args=["ledger", "verify"])
    assert broken.exit_code == 1 and "month total for" in broken.output


def test_accounts_are_in_the_fund_currency(factory):
    donor = factory.user("donor")
    account = ledger.contributions_of(db.session(), donor.id, "D")
    assert account.currency == "USD"
    assert db.session.execute(select(Account.currency).distinct()).scalars().all() == ["USD"]
    assert db.session.execute(select(LedgerTransaction)).first() is None
