"""Posting to the ledger, and the fund's position read from it.

Every posting takes the fund lock first (the cash account's row, SELECT … FOR UPDATE on
PostgreSQL; SQLite transactions are BEGIN IMMEDIATE anyway), so postings are serialised and
the balances checked before a posting are still true when it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.audit import Actor
from app.core.database import today
from app.core.errors import Conflict, DomainError
from app.core.money import Money, fund_currency
from app.ledger.models import (
    DEBIT_NORMAL,
    Account,
    Category,
    Entry,
    LedgerTransaction,
    MonthTotal,
    TransactionKind,
    wrong_sign,
)

CASH = "cash"
FEES = "fees"
COMMITTED_FUNDS = "committed_funds"
DUE_TO_PROCESSOR = "due_to_processor"
SHORTFALL = "shortfall"
EXCHANGE = "exchange"

FIXED_ACCOUNTS = {
    CASH: (Category.CASH, "Fund cash"),
    FEES: (Category.FEES, "Payment fees"),
    COMMITTED_FUNDS: (Category.COMMITTED_FUNDS, "Funds set aside for commitments"),
    DUE_TO_PROCESSOR: (Category.DUE_TO_PROCESSOR, "Due to the card processor"),
    SHORTFALL: (Category.SHORTFALL, "Commitments not covered by cash (shortfall)"),
    EXCHANGE: (Category.EXCHANGE, "Exchange differences"),
}


class LedgerError(DomainError):
    """A posting that would break an invariant. Never half-written: the caller rolls back."""

    status = 409
    code = "ledger"


class Duplicate(Conflict):
    """This external event is already in the ledger (a replayed webhook)."""


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_minor: int  # + debit, − credit


# -- accounts ------------------------------------------------------------------------------------


def _get_or_create(
    session: Session,
    code: str,
    category: Category,
    name: str,
    *,
    donor_id: int | None = None,
    grant_id: int | None = None,
) -> Account:
    account = session.execute(select(Account).where(Account.code == code)).scalar_one_or_none()
    if account is None:
        account = Account(
            code=code,
            category=category,
            name=name,
            currency=fund_currency(),
            donor_id=donor_id,
            grant_id=grant_id,
        )
        session.add(account)
        session.flush()
    return account


def fixed(session: Session, code: str) -> Account:
    category, name = FIXED_ACCOUNTS[code]
    return _get_or_create(session, code, category, name)


def contributions_of(session: Session, donor_id: int, name: str) -> Account:
    return _get_or_create(
        session,
        f"contributions:donor:{donor_id}",
        Category.CONTRIBUTIONS,
        f"Contributions — {name}",
        donor_id=donor_id,
    )


def pledges_of(session: Session, donor_id: int, name: str) -> Account:
    return _get_or_create(
        session,
        f"pledges:donor:{donor_id}",
        Category.PLEDGES,
        f"Pledges — {name}",
        donor_id=donor_id,
    )


def commitment_of(session: Session, grant_id: int, reference: str) -> Account:
    return _get_or_create(
        session,
        f"commitment:grant:{grant_id}",
        Category.COMMITMENT,
        f"Commitment — {reference}",
        grant_id=grant_id,
    )


def disbursements_of(session: Session, grant_id: int, reference: str) -> Account:
    return _get_or_create(
        session,
        f"disbursements:grant:{grant_id}",
        Category.DISBURSEMENTS,
        f"Disbursements — {reference}",
        grant_id=grant_id,
    )


def lock_fund(session: Session) -> Account:
    """Take the fund lock: call this before locking any other row that money depends on."""
    cash = fixed(session, CASH)
    return session.execute(
        select(Account)
        .where(Account.id == cash.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def version(session: Session) -> tuple[int, str]:
    """The ledger's version: its newest transaction's id and time. Every transaction is
    written under the fund lock, held until its commit, so transactions become visible in
    id order and none can appear later below the newest; what is computed from the ledger
    at one version holds for as long as the version is the same. (The time tells apart a
    transaction that reused the id of one rolled back, as SQLite may.)"""
    newest = session.execute(
        select(LedgerTransaction.id, LedgerTransaction.created_at)
        .order_by(LedgerTransaction.id.desc())
        .limit(1)
    ).first()
    return (int(newest[0]), newest[1].isoformat()) if newest else (0, "")


def balance(session: Session, code: str) -> int:
    value = session.execute(
        select(Account.balance_minor).where(Account.code == code)
    ).scalar_one_or_none()
    return int(value or 0)


# -- posting -------------------------------------------------------------------------------------------


def is_posted(session: Session, external_id: str) -> bool:
    """Whether an outside event (a bank reference, a Stripe id) is already in the ledger."""
    found = session.execute(
        select(LedgerTransaction.id).where(LedgerTransaction.external_id == external_id)
    ).first()
    return found is not None


def post(
    session: Session,
    kind: TransactionKind,
    legs: Sequence[Leg],
    *,
    actor: Actor | None = None,
    memo: str = "",
    external_id: str | None = None,
    grant_id: int | None = None,
    donor_id: int | None = None,
    effective_on: date | None = None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction and update the balances, or raise and write nothing."""
    legs = [leg for leg in legs if leg.amount_minor != 0]
    if len(legs) < 2:
        raise LedgerError(_("a transaction needs at least two non-zero entries"))
    if sum(leg.amount_minor for leg in legs) != 0:
        raise LedgerError(_("the entries of a transaction must sum to zero"))
    currency = fund_currency()
    if any(leg.account.currency != currency for leg in legs):
        raise LedgerError(
            _("every entry is in the fund's currency, %(currency)s", currency=currency)
        )
    lock_fund(session)
    if external_id is not None and is_posted(session, external_id):
        raise Duplicate(_("%(external_id)s is already in the ledger", external_id=external_id))
    # Re-read the balances under the lock, then check that no sign-constrained account flips.
    ids = sorted({leg.account.id for leg in legs})
    accounts = {
        a.id: a
        for a in session.execute(
            select(Account)
            .where(Account.id.in_(ids))
            .order_by(Account.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    # Check every account's new balance before touching any, so a refusal leaves the
    # session exactly as it was (a caller may catch the error and carry on).
    net: dict[int, int] = {}
    for leg in legs:
        net[leg.account.id] = net.get(leg.account.id, 0) + leg.amount_minor
    for account_id, change in net.items():
        account = accounts[account_id]
        after = account.balance_minor + change
        if wrong_sign(account.category, after):
            values = {
                "account": account.name,
                "before": str(Money(account.balance_minor, currency)),
                "after": str(Money(after, currency)),
            }
            raise LedgerError(
                _("%(account)s cannot go below zero (%(before)s → %(after)s)", **values)
                if account.category in DEBIT_NORMAL
                else _("%(account)s cannot go above zero (%(before)s → %(after)s)", **values)
            )
    for account_id, change in net.items():
        accounts[account_id].balance_minor += change
    effective_on = effective_on or today()
    _add_to_month_totals(session, net, effective_on.replace(day=1), kind)
    transaction = LedgerTransaction(
        kind=kind,
        effective_on=effective_on,
        memo=(memo or "")[:2000],
        actor_id=getattr(actor, "id", None),
        external_id=external_id,
        reverses_id=reverses.id if reverses is not None else None,
        grant_id=grant_id,
        donor_id=donor_id,
    )
    session.add(transaction)
    session.flush()
    for leg in legs:
        session.add(
            Entry(
                transaction_id=transaction.id,
                account_id=leg.account.id,
                amount_minor=leg.amount_minor,
                currency=currency,
            )
        )
    session.flush()
    audit.record(
        session,
        "ledger.post",
        transaction,
        actor=actor,
        data={
            "kind": kind.value,
            "entries": {accounts[leg.account.id].code: leg.amount_minor for leg in legs},
            "external_id": external_id,
            "reverses": transaction.reverses_id,
        },
    )
    return transaction


def _add_to_month_totals(
    session: Session, net: dict[int, int], month: date, kind: TransactionKind
) -> None:
    """The accounts' month totals follow their entries (the fund lock is held: no race)."""
    changes = {account_id: change for account_id, change in net.items() if change}
    found = {
        row.account_id: row
        for row in session.execute(
            select(MonthTotal).where(
                MonthTotal.account_id.in_(sorted(changes)),
                MonthTotal.month == month,
                MonthTotal.kind == kind.value,
            )
        ).scalars()
    }
    for account_id, change in changes.items():
        row = found.get(account_id)
        if row is None:
            session.add(
                MonthTotal(account_id=account_id, month=month, kind=kind.value, amount_minor=change)
            )
        else:
            row.amount_minor += change


def reverse(
    session: Session,
    transaction: LedgerTransaction,
    *,
    actor: Actor | None = None,
    memo: str = "",
    external_id: str | None = None,
) -> LedgerTransaction:
    """Undo a transaction with its mirror image; a transaction is reversed at most once."""
    if transaction.reverses_id is not None:
        raise LedgerError(_("a reversal is not reversed; post a new transaction instead"))
    if session.execute(
        select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction.id)
    ).first():
        raise Conflict(_("this transaction is already reversed"))
    legs = [Leg(entry.account, -entry.amount_minor) for entry in transaction.entries]
    return post(
        session,
        TransactionKind.REVERSAL,
        legs,
        actor=actor,
        memo=memo or f"Reversal of transaction {transaction.id}",
        external_id=external_id,
        grant_id=transaction.grant_id,
        donor_id=transaction.donor_id,
        reverses=transaction,
    )


# -- the fund's position -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundPosition:
    currency: str
    contributions: int  # pledged or received, net of refunds
    pledges_outstanding: int
    received: int  # contributions actually received (with exchange differences)
    fees: int
    cash: int
    committed: int  # outstanding, undisbursed commitments (covered or not)
    disbursed: int
    due_to_processor: int
    shortfall: int = 0  # commitments that the cash held does not cover
    exchange: int = 0  # net exchange losses (negative: gains)

    @property
    def uncommitted(self) -> int:
        """Cash less every outstanding commitment: negative in a shortfall."""
        return self.cash - self.committed

    @property
    def available(self) -> int:
        """What the fund may still commit (never below zero: see `shortfall`)."""
        return max(0, self.uncommitted)

    def money(self, field: str) -> Money:
        return Money(int(getattr(self, field)), self.currency)


def position(session: Session) -> FundPosition:
    totals = dict(
        session.execute(
            select(Account.category, func.coalesce(func.sum(Account.balance_minor), 0)).group_by(
                Account.category
            )
        ).all()
    )

    def total(category: Category) -> int:
        return int(totals.get(category, 0))

    contributions = -total(Category.CONTRIBUTIONS)
    pledges = total(Category.PLEDGES)
    exchange = total(Category.EXCHANGE)
    return FundPosition(
        currency=fund_currency(),
        contributions=contributions,
        pledges_outstanding=pledges,
        received=contributions - pledges - exchange,
        fees=total(Category.FEES),
        cash=total(Category.CASH),
        committed=total(Category.COMMITTED_FUNDS) + total(Category.SHORTFALL),
        disbursed=total(Category.DISBURSEMENTS),
        due_to_processor=-total(Category.DUE_TO_PROCESSOR),
        shortfall=total(Category.SHORTFALL),
        exchange=exchange,
    )


def available(session: Session) -> int:
    """Cash less every outstanding commitment, covered or not: what may still be committed.
    Negative while the fund is short (a refund took money that was committed)."""
    return balance(session, CASH) - balance(session, COMMITTED_FUNDS) - balance(session, SHORTFALL)
