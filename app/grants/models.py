from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.auth.models import User
from app.core.database import Base, str_enum, utcnow
from app.core.labels import LabelledEnum
from app.core.money import Money
from app.reference.models import State


class PaidWork(Protocol):
    """What grants know of the deployment an expert's fee or travel pays for (deployments
    build on grants, so grants do not import them): its reference, for the ledger's memo."""

    @property
    def reference(self) -> str: ...


class GrantStatus(LabelledEnum):
    AWAITING_FUNDS = "awaiting_funds", _l("awaiting funds"), "warn"
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _l("awaiting the State's acceptance"), "info"
    # The context tells translators the noun is a grant (French and Spanish adjectives agree).
    ACTIVE = "active", lazy_pgettext("grant status", "active"), "ok"
    SUSPENDED = "suspended", _l("suspended"), "warn"
    COMPLETED = "completed", _l("completed"), "neutral"
    CANCELLED = "cancelled", _l("cancelled"), "err"


class Grant(Base):
    __tablename__ = "grants"
    __audit_type__ = "grant"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "expert_budget_minor >= 0 AND expert_budget_minor <= amount_minor",
            name="expert_budget_range",
        ),
        CheckConstraint(
            "status IN ('awaiting_funds', 'cancelled') OR committed_at IS NOT NULL",
            name="committed_has_date",
        ),
        CheckConstraint(
            "status NOT IN ('active', 'suspended', 'completed') OR accepted_at IS NOT NULL",
            name="accepted_has_date",
        ),
        Index("ix_grants_status_created", "status", "created_at"),
        Index("ix_grants_created", "created_at", "id"),  # the list's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int]
    # Paid by the fund to the experts it deploys, not to the State (the "experts" budget).
    expert_budget_minor: Mapped[int] = mapped_column(default=0)
    duration_months: Mapped[int] = mapped_column(default=12)
    status: Mapped[GrantStatus] = mapped_column(
        str_enum(GrantStatus, "grant_status"), default=GrantStatus.AWAITING_FUNDS, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_name: Mapped[str] = mapped_column(String(200), default="")
    accepted_title: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status_note: Mapped[str] = mapped_column(Text, default="")  # why suspended or cancelled
    closed_at: Mapped[datetime | None]  # completed or cancelled
    final_report_accepted_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(lazy="joined")
    state: Mapped[State] = relationship(lazy="joined")
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    tranches: Mapped[list[Tranche]] = relationship(
        back_populates="grant", order_by="Tranche.number", cascade="all, delete-orphan"
    )
    disbursements: Mapped[list[Disbursement]] = relationship(
        back_populates="grant", order_by="Disbursement.id"
    )

    @property
    def status_enum(self) -> GrantStatus:
        return GrantStatus(self.status)

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def expert_budget(self) -> Money:
        return Money(self.expert_budget_minor, self.currency)


class TrancheCondition(LabelledEnum):
    ACCEPTANCE = "acceptance", _l("on acceptance of the agreement")
    INTERIM_REPORT = "interim_report", _l("after the interim report is accepted")


class Tranche(Base):
    __tablename__ = "tranches"
    __table_args__ = (
        UniqueConstraint("grant_id", "number"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    percent: Mapped[int]
    amount_minor: Mapped[int]
    condition: Mapped[TrancheCondition] = mapped_column(
        str_enum(TrancheCondition, "tranche_condition")
    )
    condition_met_at: Mapped[datetime | None]

    grant: Mapped[Grant] = relationship(back_populates="tranches")

    @property
    def is_releasable(self) -> bool:
        return self.condition_met_at is not None

    def _filled(self, *statuses: DisbursementStatus) -> int:
        """What of this tranche the grant's releases to the State in `statuses` cover: their
        total fills the tranches in order, so a release larger than what is left of one
        tranche carries on into the next. From the grant's releases and tranches, which its
        page loads anyway: no query per tranche."""
        released = sum(
            d.amount_minor
            for d in self.grant.disbursements
            if d.kind == DisbursementKind.TRANCHE and d.status in statuses
        )
        before = sum(t.amount_minor for t in self.grant.tranches if t.number < self.number)
        return max(0, min(self.amount_minor, released - before))

    @property
    def paid_minor(self) -> int:
        return self._filled(DisbursementStatus.PAID)

    @property
    def pending_minor(self) -> int:
        """Covered by releases waiting for their second officer (after what is paid)."""
        paid_or_pending = self._filled(DisbursementStatus.PAID, DisbursementStatus.PENDING_APPROVAL)
        return paid_or_pending - self.paid_minor

    @property
    def progress(self) -> str:
        """Where the tranche stands: `paid`, `pending` (a release waits for its second
        officer), `releasable`, or `waiting` for its condition."""
        if self.paid_minor >= self.amount_minor:
            return "paid"
        if self.pending_minor:
            return "pending"
        return "releasable" if self.is_releasable else "waiting"


class DisbursementStatus(LabelledEnum):
    PENDING_APPROVAL = "pending_approval", _l("waiting for a second officer"), "warn"
    PAID = "paid", _l("paid"), "ok"
    CANCELLED = "cancelled", lazy_pgettext("disbursement status", "cancelled"), "neutral"


class DisbursementKind(LabelledEnum):
    TRANCHE = "tranche", _l("Tranche to the State")
    EXPERT_FEE = "expert_fee", _l("Expert's fee")
    TRAVEL = "travel", _l("Expert's travel")


class Disbursement(Base):
    """A release of grant money: created by one secretariat officer, approved by another."""

    __tablename__ = "disbursements"
    __audit_type__ = "disbursement"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> created_by_id", name="maker_checker"
        ),
        CheckConstraint(
            "status <> 'paid' OR (approved_by_id IS NOT NULL AND transaction_id IS NOT NULL AND approved_at IS NOT NULL)",
            name="paid_is_approved",
        ),
        Index("ix_disbursements_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    tranche_id: Mapped[int | None] = mapped_column(ForeignKey("tranches.id"))
    # An expert's fee or travel is paid for one deployment (app/deployments).
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"), index=True)
    kind: Mapped[DisbursementKind] = mapped_column(str_enum(DisbursementKind, "disbursement_kind"))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[DisbursementStatus] = mapped_column(
        str_enum(DisbursementStatus, "disbursement_status"),
        default=DisbursementStatus.PENDING_APPROVAL,
    )
    note: Mapped[str] = mapped_column(Text, default="")
    payee: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    payment_reference: Mapped[str] = mapped_column(String(120), default="")
    cancelled_at: Mapped[datetime | None]
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )

    grant: Mapped[Grant] = relationship(back_populates="disbursements")
    tranche: Mapped[Tranche | None] = relationship()
    # Read only (app/deployments owns them): the ledger names the deployment an expert's fee
    # or travel pays for, never the expert.
    deployment: Mapped[PaidWork | None] = relationship("Deployment", viewonly=True)
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")

    @property
    def kind_enum(self) -> DisbursementKind:
        return DisbursementKind(self.kind)

    @property
    def status_enum(self) -> DisbursementStatus:
        return DisbursementStatus(self.status)

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)
