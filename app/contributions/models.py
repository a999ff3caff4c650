from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.database import Base, str_enum, utcnow
from app.core.labels import LabelledEnum
from app.core.money import Money


class ContributionKind(LabelledEnum):
    CARD = "card", _l("card")
    BANK = "bank", _l("bank transfer")
    PLEDGE = "pledge", _l("pledge")


class ContributionStatus(LabelledEnum):
    PENDING = "pending", _l("awaiting payment"), "info"  # a card payment not confirmed yet
    PLEDGED = "pledged", _l("pledged"), "warn"  # promised, not (fully) received
    RECEIVED = "received", _l("received"), "ok"
    REFUNDED = "refunded", _l("refunded"), "neutral"  # wholly refunded or lost to a dispute
    FAILED = "failed", _l("failed"), "err"
    CANCELLED = "cancelled", _l("cancelled"), "neutral"  # a pledge that will not be paid


class Contribution(Base):
    __tablename__ = "contributions"
    __audit_type__ = "contribution"
    __table_args__ = (
        CheckConstraint("original_amount_minor > 0", name="original_positive"),
        CheckConstraint("base_amount_minor > 0", name="base_positive"),
        CheckConstraint(
            "received_minor >= 0 AND received_minor <= base_amount_minor", name="received_range"
        ),
        CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= received_minor", name="refunded_range"
        ),
        CheckConstraint(
            "disputed_minor >= 0 AND refunded_minor + disputed_minor <= received_minor",
            name="disputed_range",
        ),
        CheckConstraint(
            "received_original_minor >= 0 AND received_original_minor <= original_amount_minor",
            name="received_original_range",
        ),
        CheckConstraint(
            "corrected_by_id IS NULL OR corrected_by_id <> correction_requested_by_id",
            name="correction_maker_checker",
        ),
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        Index("ix_contributions_donor_created", "donor_id", "created_at"),
        Index("ix_contributions_created", "created_at", "id"),  # the list's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(str_enum(ContributionKind, "contribution_kind"))
    status: Mapped[ContributionStatus] = mapped_column(
        str_enum(ContributionStatus, "contribution_status"), index=True
    )
    original_amount_minor: Mapped[int]
    original_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[str] = mapped_column(String(30), default="1")  # base units per original unit
    base_amount_minor: Mapped[int]
    base_currency: Mapped[str] = mapped_column(String(3))
    # Received, in the base currency at the contribution's own rate (for a pledge: the part of
    # the receivable settled); and in the original currency, which is what a pledge is owed in.
    received_minor: Mapped[int] = mapped_column(default=0)
    received_original_minor: Mapped[int] = mapped_column(default=0)
    refunded_minor: Mapped[int] = mapped_column(default=0)  # card refunds
    disputed_minor: Mapped[int] = mapped_column(default=0)  # card disputes not (yet) won
    fee_minor: Mapped[int] = mapped_column(default=0)
    # A card gift's fee is known once Stripe has its balance transaction; until then it is
    # looked up again (`jobs run`, or the charge's `charge.updated` event).
    fee_known: Mapped[bool] = mapped_column(default=True)
    charge_id: Mapped[str | None] = mapped_column(String(120))
    reference: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    payment_intent_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    receipt_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    due_on: Mapped[date | None]  # a pledge's expected payment date
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    # A bank transfer recorded by mistake is taken back by two officers: one asks, another
    # confirms (maker–checker, as for releases).
    correction_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    correction_requested_at: Mapped[datetime | None]
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    donor: Mapped[User] = relationship(foreign_keys=[donor_id], lazy="joined")
    correction_requested_by: Mapped[User | None] = relationship(
        foreign_keys=[correction_requested_by_id]
    )

    @property
    def status_enum(self) -> ContributionStatus:
        return ContributionStatus(self.status)

    @property
    def kind_enum(self) -> ContributionKind:
        return ContributionKind(self.kind)

    @property
    def original(self) -> Money:
        return Money(self.original_amount_minor, self.original_currency)

    @property
    def base(self) -> Money:
        return Money(self.base_amount_minor, self.base_currency)

    @property
    def received(self) -> Money:
        return Money(self.received_minor, self.base_currency)

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_minor, self.base_currency)

    @property
    def fee(self) -> Money:
        return Money(self.fee_minor, self.base_currency)

    @property
    def disputed(self) -> Money:
        return Money(self.disputed_minor, self.base_currency)

    @property
    def outstanding_minor(self) -> int:
        """For a pledge: what is still to come, in the base currency at the pledge's rate."""
        return (
            self.base_amount_minor - self.received_minor
            if self.kind == ContributionKind.PLEDGE
            else 0
        )

    @property
    def outstanding_original(self) -> Money:
        """For a pledge: what is still owed, in the currency it was pledged in."""
        owed = (
            self.original_amount_minor - self.received_original_minor
            if self.kind == ContributionKind.PLEDGE
            else 0
        )
        return Money(owed, self.original_currency)

    @property
    def kept_minor(self) -> int:
        """What the fund keeps of what was received: less refunds and open disputes."""
        return self.received_minor - self.refunded_minor - self.disputed_minor

    @property
    def has_receipt(self) -> bool:
        """Whether its PDF can be printed: the receipt of money received (or refunded), or
        a pledge's acknowledgement. A transfer taken back by a correction keeps its receipt
        number for the record, but no longer has a receipt saying the money was received."""
        if self.status_enum is ContributionStatus.CANCELLED:
            return False
        return self.receipt_number is not None or self.status_enum is ContributionStatus.PLEDGED

    @property
    def correction_pending(self) -> bool:
        return self.correction_requested_by_id is not None and self.corrected_by_id is None

    @property
    def is_foreign(self) -> bool:
        return self.original_currency != self.base_currency


class StripeEvent(Base):
    """Every Stripe event processed, by id: a replay is recognised before anything is done."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
