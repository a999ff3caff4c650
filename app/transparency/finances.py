"""The fund's money in one year, from the ledger's entries dated in it (`effective_on`),
for the annual report: one SQL statement, and every table reconciles — the balance at the
start of the year plus the year's movements is the balance at its end."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Integer, case, cast, extract, func, select
from sqlalchemy.orm import Session, aliased

from app.core.money import fund_currency
from app.grants.models import Disbursement, DisbursementKind
from app.ledger.models import Account, Category, Entry, LedgerTransaction, TransactionKind


@dataclass(frozen=True)
class CashFlow:
    """The fund's cash in the year: opening + movements = closing."""

    opening: int
    received: int  # contributions and pledge payments received, net of their reversals
    refunds: int  # refunds and card disputes (negative)
    fees: int  # payment processing fees (negative)
    paid_states: int  # tranches paid to States (negative)
    paid_experts: int  # experts' fees and travel paid for grants (negative)
    other: int
    closing: int

    @property
    def money_in(self) -> int:
        return self.received

    @property
    def money_out(self) -> int:
        return -(self.refunds + self.fees + self.paid_states + self.paid_experts + self.other)


@dataclass(frozen=True)
class Commitments:
    """Money set aside for grants: opening + new − paid − released = closing."""

    opening: int
    new: int
    paid: int
    released: int
    other: int
    closing: int


@dataclass(frozen=True)
class Pledges:
    made: int
    received: int
    cancelled: int
    outstanding: int  # at the end of the year


@dataclass(frozen=True)
class Finances:
    currency: str
    cash: CashFlow
    commitments: Commitments
    pledges: Pledges
    set_aside_end: int  # cash set aside for commitments at the end of the year
    months_in: tuple[int, ...]  # per month: contributions received
    months_out: tuple[int, ...]  # per month: paid to States and for experts

    @property
    def available_end(self) -> int:
        return self.cash.closing - self.set_aside_end

    @property
    def uncovered_end(self) -> int:
        """Commitments the cash set aside did not cover at the end of the year (after a
        refund or a lost card dispute): the fund's shortfall."""
        return max(0, self.commitments.closing - self.set_aside_end)


def bounds(year: int) -> tuple[date, date, datetime, datetime]:
    return (
        date(year, 1, 1),
        date(year, 12, 31),
        datetime(year, 1, 1, tzinfo=UTC),
        datetime(year + 1, 1, 1, tzinfo=UTC),
    )


def read(session: Session, year: int) -> Finances:
    """One statement: the entries up to the year's end, summed by account category, kind
    (a reversal counts as the kind it reverses, with the opposite sign), kind of payment
    and month (0 = before the year)."""
    start, end, _s, _e = bounds(year)
    reversed_ = aliased(LedgerTransaction)
    kind = func.coalesce(reversed_.kind, LedgerTransaction.kind)
    month = case(
        (LedgerTransaction.effective_on < start, 0),
        else_=cast(extract("month", LedgerTransaction.effective_on), Integer),
    )
    rows = (
        select(
            Account.category.label("category"),
            kind.label("kind"),
            Disbursement.kind.label("paid"),
            month.label("month"),
            Entry.amount_minor.label("amount"),
        )
        .select_from(Entry)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .outerjoin(reversed_, reversed_.id == LedgerTransaction.reverses_id)
        .outerjoin(
            Disbursement,
            Disbursement.transaction_id == func.coalesce(reversed_.id, LedgerTransaction.id),
        )
        .where(LedgerTransaction.effective_on <= end)
        .subquery()
    )
    grouped = session.execute(
        select(
            rows.c.category, rows.c.kind, rows.c.paid, rows.c.month, func.sum(rows.c.amount)
        ).group_by(rows.c.category, rows.c.kind, rows.c.paid, rows.c.month)
    ).all()
    before: dict[Category, int] = defaultdict(int)
    year_total: dict[tuple[Category, TransactionKind, str], int] = defaultdict(int)
    months_in, months_out = [0] * 12, [0] * 12
    for category_value, kind_value, paid, month_value, amount in grouped:
        category, kind_ = Category(category_value), TransactionKind(kind_value)
        amount, month_number = int(amount), int(month_value)
        if month_number == 0:
            before[category] += amount
            continue
        year_total[(category, kind_, str(paid or ""))] += amount
        if category is Category.CASH:
            if kind_ in (TransactionKind.CONTRIBUTION, TransactionKind.PLEDGE_RECEIPT):
                months_in[month_number - 1] += amount
            elif kind_ is TransactionKind.DISBURSEMENT:
                months_out[month_number - 1] -= amount

    def moved(category: Category, *kinds: TransactionKind, paid: str | None = None) -> int:
        return sum(
            amount
            for (c, k, p), amount in year_total.items()
            if c is category and (not kinds or k in kinds) and (paid is None or p == paid)
        )

    cash_open = before[Category.CASH]
    received = moved(Category.CASH, TransactionKind.CONTRIBUTION, TransactionKind.PLEDGE_RECEIPT)
    refunds = moved(Category.CASH, TransactionKind.REFUND, TransactionKind.DISPUTE)
    fees = moved(Category.CASH, TransactionKind.FEE)
    paid_states = moved(Category.CASH, TransactionKind.DISBURSEMENT, paid=DisbursementKind.TRANCHE)
    paid_all = moved(Category.CASH, TransactionKind.DISBURSEMENT)
    cash_moved = moved(Category.CASH)
    cash = CashFlow(
        opening=cash_open,
        received=received,
        refunds=refunds,
        fees=fees,
        paid_states=paid_states,
        paid_experts=paid_all - paid_states,
        other=cash_moved - received - refunds - fees - paid_all,
        closing=cash_open + cash_moved,
    )
    c_open = -before[Category.COMMITMENT]
    new = -moved(Category.COMMITMENT, TransactionKind.COMMITMENT)
    paid = moved(Category.COMMITMENT, TransactionKind.DISBURSEMENT)
    released = moved(Category.COMMITMENT, TransactionKind.RELEASE)
    c_close = c_open - moved(Category.COMMITMENT)
    commitments = Commitments(
        opening=c_open,
        new=new,
        paid=paid,
        released=released,
        other=c_close - (c_open + new - paid - released),
        closing=c_close,
    )
    pledges = Pledges(
        made=moved(Category.PLEDGES, TransactionKind.PLEDGE),
        received=-moved(Category.PLEDGES, TransactionKind.PLEDGE_RECEIPT),
        cancelled=-moved(Category.PLEDGES, TransactionKind.PLEDGE_CANCELLATION),
        outstanding=before[Category.PLEDGES] + moved(Category.PLEDGES),
    )
    return Finances(
        currency=fund_currency(),
        cash=cash,
        commitments=commitments,
        pledges=pledges,
        set_aside_end=before[Category.COMMITTED_FUNDS] + moved(Category.COMMITTED_FUNDS),
        months_in=tuple(months_in),
        months_out=tuple(months_out),
    )
