"""Accounts, transactions and entries.

Entries carry signed integer minor units: a debit is positive, a credit negative, and the
entries of a transaction sum to zero. Each account keeps its balance (the sum of its entries)
updated in the same transaction, and so are its month totals (the sum of its entries per
month and kind of transaction, for the charts over time); `ledger verify` recomputes both.
Categories whose balance may never change sign are guarded by a CHECK constraint as well as
by the services.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import Base, str_enum, utcnow
from app.core.labels import LabelledEnum
from app.core.money import Money


class Category(LabelledEnum):
    # The fund's money at the bank and with the card processor.
    CASH = "cash", _l("Fund cash")
    # Receivable: pledged, not yet received (one per donor).
    PLEDGES = "pledges", _l("Pledges receivable")
    # What each donor gave or pledged (credit).
    CONTRIBUTIONS = "contributions", _l("Contributions")
    FEES = "fees", _l("Payment fees")  # payment processing fees
    # Cash set aside for commitments (debit).
    COMMITTED_FUNDS = "committed_funds", _l("Funds set aside for commitments")
    # Each grant's undisbursed commitment: payable (credit).
    COMMITMENT = "commitment", _l("Grant commitment (payable)")
    # What each grant has been paid.
    DISBURSEMENTS = "disbursements", _l("Grant disbursements")
    # Refunds and disputes beyond the cash held (credit).
    DUE_TO_PROCESSOR = "due_to_processor", _l("Due to the card processor")
    # Commitments that cash no longer covers, after a refund or a lost dispute (debit): the
    # fund's recorded shortfall. Funds set aside + shortfall = outstanding commitments.
    SHORTFALL = "shortfall", _l("Commitments not covered by cash (shortfall)")
    # Gains (credit) and losses (debit) when a pledge in another currency is paid at a rate
    # other than the pledge's, or its last payment settles a rounding remainder: either sign.
    EXCHANGE = "exchange", _l("Exchange differences")


DEBIT_NORMAL = frozenset(
    {
        Category.CASH,
        Category.PLEDGES,
        Category.FEES,
        Category.COMMITTED_FUNDS,
        Category.DISBURSEMENTS,
        Category.SHORTFALL,
    }
)
CREDIT_NORMAL = frozenset({Category.CONTRIBUTIONS, Category.COMMITMENT, Category.DUE_TO_PROCESSOR})
# Categories whose balance may have either sign.
EITHER_SIGN = frozenset({Category.EXCHANGE})


def wrong_sign(category: Category | str, balance_minor: int) -> bool:
    """Whether a balance breaks its category's sign rule (the CHECK on the account row)."""
    if category in DEBIT_NORMAL:
        return balance_minor < 0
    if category in CREDIT_NORMAL:
        return balance_minor > 0
    return False


class TransactionKind(LabelledEnum):
    CONTRIBUTION = "contribution", _l("Contribution received")
    PLEDGE = "pledge", _l("Pledge")
    PLEDGE_RECEIPT = "pledge_receipt", _l("Pledge payment received")
    PLEDGE_CANCELLATION = "pledge_cancellation", _l("Pledge cancelled")
    FEE = "fee", _l("Payment fee")
    COMMITMENT = "commitment", _l("Commitment to a grant")
    RELEASE = "release", _l("Commitment released")
    DISBURSEMENT = "disbursement", _l("Disbursement")
    REFUND = "refund", _l("Refund")
    DISPUTE = "dispute", _l("Card dispute")
    REVERSAL = "reversal", _l("Reversal")
    # Commitments moved out of the funds set aside: cash is short.
    SHORTFALL = "shortfall", _l("Shortfall: commitments above the cash held")
    # Money came in: commitments covered again.
    SHORTFALL_COVERED = "shortfall_covered", _l("Shortfall covered")


BALANCE_SIGN_SQL = (
    "(category IN ('cash', 'pledges', 'fees', 'committed_funds', 'disbursements', 'shortfall')"
    " AND balance_minor >= 0)"
    " OR (category IN ('contributions', 'commitment', 'due_to_processor') AND balance_minor <= 0)"
    " OR category = 'exchange'"
)


class Account(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint(
            BALANCE_SIGN_SQL,
            name="balance_sign",
        ),
        Index("ix_ledger_accounts_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "account_category"))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"), index=True)
    balance_minor: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def balance(self) -> Money:
        return Money(self.balance_minor, self.currency)


class LedgerTransaction(Base):
    __tablename__ = "ledger_transactions"
    __append_only__ = True
    __audit_type__ = "ledger_transaction"
    __table_args__ = (Index("ix_ledger_transactions_effective", "effective_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TransactionKind] = mapped_column(
        str_enum(TransactionKind, "transaction_kind"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_on: Mapped[date]
    memo: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A payment provider's id (a PaymentIntent, refund or dispute): one transaction each.
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    entries: Mapped[list[Entry]] = relationship(
        back_populates="transaction", order_by="Entry.id", lazy="selectin"
    )

    @property
    def kind_enum(self) -> TransactionKind:
        return TransactionKind(self.kind)


class Entry(Base):
    __tablename__ = "ledger_entries"
    __append_only__ = True
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
        Index("ix_ledger_entries_account", "account_id", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
    account: Mapped[Account] = relationship(lazy="joined")

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class MonthTotal(Base):
    """The sum of one account's entries in one month for one kind of transaction (by the
    transactions' `effective_on`): a cache kept like the balance, in the same transaction
    as the entries, so a chart over time reads a few rows instead of every entry."""

    __tablename__ = "ledger_month_totals"

    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # its first day
    # (Plain text: the transaction's own column guards the values.)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(default=0)
