"""The ledger's invariants, checked from the entries themselves (`flask ledger verify`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.money import fund_currency
from app.ledger.models import (
    Account,
    Category,
    Entry,
    LedgerTransaction,
    MonthTotal,
    TransactionKind,
    wrong_sign,
)
from app.ledger.services import CASH, COMMITTED_FUNDS


@dataclass(frozen=True)
class Problem:
    message: str

    def __str__(self) -> str:
        return self.message


def _month_total_drift(session: Session) -> Problem | None:
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(LedgerTransaction.effective_on, "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", LedgerTransaction.effective_on)
    sums = {
        (account_id, str(m), str(kind)): int(total)
        for account_id, m, kind, total in session.execute(
            select(Entry.account_id, month, LedgerTransaction.kind, func.sum(Entry.amount_minor))
            .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
            .group_by(Entry.account_id, month, LedgerTransaction.kind)
        )
    }
    kept = {
        (row.account_id, f"{row.month:%Y-%m}", row.kind): row.amount_minor
        for row in session.execute(select(MonthTotal)).scalars()
    }
    for key in sorted(set(sums) | set(kept)):
        if sums.get(key, 0) != kept.get(key, 0):
            account_id, m, kind = key
            return Problem(
                f"account {account_id}: month total for {m} ({kind}) is {kept.get(key, 0)}"
                f" but its entries sum to {sums.get(key, 0)}"
            )
    return None


def iter_problems(session: Session) -> Iterator[Problem]:
    currency = fund_currency()

    # 1. Every transaction has two or more entries that sum to zero, in the fund's currency.
    rows = session.execute(
        select(Entry.transaction_id, func.count(), func.sum(Entry.amount_minor))
        .group_by(Entry.transaction_id)
        .having((func.count() < 2) | (func.sum(Entry.amount_minor) != 0))
        .order_by(Entry.transaction_id)
        .limit(1)
    ).first()
    if rows is not None:
        yield Problem(
            f"transaction {rows[0]}: {rows[1]} entries summing to {rows[2]}, not a balanced pair"
        )
    empty = session.execute(
        select(LedgerTransaction.id)
        .outerjoin(Entry, Entry.transaction_id == LedgerTransaction.id)
        .where(Entry.id.is_(None))
        .limit(1)
    ).scalar_one_or_none()
    if empty is not None:
        yield Problem(f"transaction {empty} has no entries")
    foreign = session.execute(
        select(Entry.id).where(Entry.currency != currency).limit(1)
    ).scalar_one_or_none()
    if foreign is not None:
        yield Problem(f"entry {foreign} is not in the fund's currency {currency}")

    # 2. Each account's kept balance is the sum of its entries.
    sums = (
        select(Entry.account_id, func.sum(Entry.amount_minor).label("total"))
        .group_by(Entry.account_id)
        .subquery()
    )
    drift = session.execute(
        select(Account.code, Account.balance_minor, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.account_id == Account.id)
        .where(Account.balance_minor != func.coalesce(sums.c.total, 0))
        .order_by(Account.id)
        .limit(1)
    ).first()
    if drift is not None:
        yield Problem(
            f"account {drift[0]}: kept balance {drift[1]} but its entries sum to {drift[2]}"
        )

    # 2b. Each account's month totals are the sums of its entries per month and kind.
    problem = _month_total_drift(session)
    if problem is not None:
        yield problem

    # 3. Balances keep their sign: cash, pledges, fees, set-aside funds, the shortfall and
    #    disbursements are never negative; contributions and each grant's commitment are
    #    never positive (exchange differences may be either).
    for account in session.execute(select(Account).order_by(Account.id)).scalars():
        if wrong_sign(account.category, account.balance_minor):
            yield Problem(f"account {account.code} has the wrong sign: {account.balance_minor}")

    # 4. Funds set aside and the shortfall together are the outstanding commitments.
    totals = dict(
        session.execute(
            select(Account.category, func.coalesce(func.sum(Account.balance_minor), 0)).group_by(
                Account.category
            )
        ).all()
    )
    set_aside = int(totals.get(Category.COMMITTED_FUNDS, 0))
    shortfall = int(totals.get(Category.SHORTFALL, 0))
    outstanding = -int(totals.get(Category.COMMITMENT, 0))
    if set_aside + shortfall != outstanding:
        yield Problem(
            f"funds set aside ({set_aside}) and the shortfall ({shortfall}) differ from"
            f" outstanding commitments ({outstanding})"
        )

    # 5. Cash was never negative; the funds set aside never exceeded the cash held, except
    #    between money leaving the fund (a refund, a dispute, a fee) and the releases and
    #    the shortfall that follow it in the same database transaction; and the recorded
    #    shortfall is exactly what the cash does not cover: outstanding commitments exceed
    #    the cash only by the shortfall.
    yield from _history(session)
    cash = int(totals.get(Category.CASH, 0))
    if set_aside > cash:
        yield Problem(f"funds set aside ({set_aside}) exceed the cash held ({cash})")
    elif shortfall > 0 and set_aside != cash:
        yield Problem(
            f"a shortfall of {shortfall} is recorded, but the cash held ({cash}) covers more"
            f" than the funds set aside ({set_aside})"
        )

    # 6. A reversal mirrors the transaction it reverses, entry for entry.
    reversals = session.execute(
        select(LedgerTransaction.id, LedgerTransaction.reverses_id).where(
            LedgerTransaction.reverses_id.is_not(None)
        )
    ).all()
    for reversal_id, reversed_id in reversals:
        ours = _by_account(session, reversal_id)
        theirs = _by_account(session, int(reversed_id or 0))
        if ours != {k: -v for k, v in theirs.items()}:
            yield Problem(f"reversal {reversal_id} does not mirror transaction {reversed_id}")


# Money leaving the fund breaks "set aside ≤ cash" until the releases and the shortfall
# posted after it (in the same database transaction) repair it.
MAY_LEAVE_SHORT = frozenset(
    {TransactionKind.REFUND, TransactionKind.DISPUTE, TransactionKind.FEE, TransactionKind.RELEASE}
)


def _history(session: Session) -> Iterator[Problem]:
    """Replay the cash and the funds set aside, transaction by transaction."""
    ids = dict(
        session.execute(
            select(Account.code, Account.id).where(Account.code.in_([CASH, COMMITTED_FUNDS]))
        ).all()
    )
    cash_id, set_aside_id = ids.get(CASH), ids.get(COMMITTED_FUNDS)
    if cash_id is None:
        return
    stream = session.execute(
        select(Entry.transaction_id, LedgerTransaction.kind, Entry.account_id, Entry.amount_minor)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .where(Entry.account_id.in_([cash_id, set_aside_id or cash_id]))
        .order_by(Entry.transaction_id, Entry.id)
        .execution_options(yield_per=5000)
    )
    cash = set_aside = 0
    current: tuple[int, str] | None = None

    def close(transaction: tuple[int, str] | None) -> Problem | None:
        if transaction is None:
            return None
        if cash < 0:
            return Problem(f"transaction {transaction[0]} took fund cash below zero ({cash})")
        if set_aside > cash and TransactionKind(transaction[1]) not in MAY_LEAVE_SHORT:
            return Problem(
                f"transaction {transaction[0]} ({transaction[1]}) left the funds set aside"
                f" ({set_aside}) above the cash held ({cash})"
            )
        return None

    try:
        for transaction_id, kind, account_id, amount in stream:
            if current is None or current[0] != transaction_id:
                problem = close(current)
                if problem is not None:
                    yield problem
                    return
                current = (transaction_id, str(kind))
            if account_id == cash_id:
                cash += amount
            else:
                set_aside += amount
        problem = close(current)
        if problem is not None:
            yield problem
    finally:
        stream.close()


def _by_account(session: Session, transaction_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Entry.account_id, func.sum(Entry.amount_minor))
        .where(Entry.transaction_id == transaction_id)
        .group_by(Entry.account_id)
    ).all()
    return {int(a): int(b) for a, b in rows}
