"""The ledger's invariants, checked from the entries themselves (`flask ledger verify`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ledger.models import (
    DEBIT_NORMAL,
    Account,
    Category,
    Entry,
    LedgerTransaction,
    TransactionKind,
)
from app.ledger.services import CASH, base_currency


@dataclass(frozen=True)
class Problem:
    message: str

    def __str__(self) -> str:
        return self.message


def iter_problems(session: Session) -> Iterator[Problem]:
    currency = base_currency()

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

    # 3. Balances keep their sign: cash, pledges, fees, set-aside funds and disbursements are
    #    never negative; contributions and each grant's commitment are never positive.
    for account in session.execute(select(Account).order_by(Account.id)).scalars():
        debit_normal = account.category in DEBIT_NORMAL
        if (debit_normal and account.balance_minor < 0) or (
            not debit_normal and account.balance_minor > 0
        ):
            yield Problem(f"account {account.code} has the wrong sign: {account.balance_minor}")

    # 4. Funds set aside equal the outstanding commitments of all grants.
    totals = dict(
        session.execute(
            select(Account.category, func.coalesce(func.sum(Account.balance_minor), 0)).group_by(
                Account.category
            )
        ).all()
    )
    set_aside = int(totals.get(Category.COMMITTED_FUNDS, 0))
    outstanding = -int(totals.get(Category.COMMITMENT, 0))
    if set_aside != outstanding:
        yield Problem(
            f"funds set aside ({set_aside}) differ from outstanding commitments ({outstanding})"
        )

    # 5. Committed (outstanding and disbursed) never exceeds what was received, and fund cash
    #    was never negative at any point in its history.
    cash_id = session.execute(select(Account.id).where(Account.code == CASH)).scalar_one_or_none()
    if cash_id is not None:
        received = session.execute(
            select(func.coalesce(func.sum(Entry.amount_minor), 0))
            .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
            .where(
                Entry.account_id == cash_id,
                LedgerTransaction.kind.in_(
                    [TransactionKind.CONTRIBUTION, TransactionKind.PLEDGE_RECEIPT]
                ),
            )
        ).scalar_one()
        committed = set_aside + int(totals.get(Category.DISBURSEMENTS, 0))
        if committed > int(received):
            yield Problem(
                f"commitments and disbursements ({committed}) exceed the funds ever received ({received})"
            )
        running = 0
        stream = session.execute(
            select(Entry.transaction_id, Entry.amount_minor)
            .where(Entry.account_id == cash_id)
            .order_by(Entry.transaction_id)
            .execution_options(yield_per=5000)
        )
        try:
            for transaction_id, amount in stream:
                running += amount
                if running < 0:
                    yield Problem(
                        f"transaction {transaction_id} took fund cash below zero ({running})"
                    )
                    break
        finally:
            stream.close()

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


def _by_account(session: Session, transaction_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Entry.account_id, func.sum(Entry.amount_minor))
        .where(Entry.transaction_id == transaction_id)
        .group_by(Entry.account_id)
    ).all()
    return {int(a): int(b) for a, b in rows}
