"""Deployments: an expert sent to a State under a grant (design.md §3.4)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.database import Base, str_enum, utcnow
from app.core.labels import LabelledEnum
from app.core.money import Money
from app.core.uploads import StoredFile
from app.experts.models import Expert
from app.grants.models import Grant


class DeploymentStatus(LabelledEnum):
    PROPOSED = "proposed", _l("offered to the expert"), "info"
    ACCEPTED = "accepted", _l("waiting for the State's consent"), "warn"
    DECLINED = "declined", _l("declined by the expert"), "neutral"
    SCHEDULED = "scheduled", _l("scheduled"), "ok"
    REPORTED = "reported", _l("mission report in review"), "info"
    REVISION_REQUESTED = "revision_requested", _l("report to be revised"), "warn"
    COMPLETED = "completed", _l("completed"), "ok"
    CANCELLED = "cancelled", _l("cancelled"), "err"


# The statuses that hold the expert's calendar: an offer not yet answered counts too, so
# two offers for the same days cannot both be accepted.
HOLDS_CALENDAR = (
    DeploymentStatus.PROPOSED,
    DeploymentStatus.ACCEPTED,
    DeploymentStatus.SCHEDULED,
    DeploymentStatus.REPORTED,
    DeploymentStatus.REVISION_REQUESTED,
    DeploymentStatus.COMPLETED,
)
# Still under way: counts toward the expert's current load and the grant's money set aside.
OPEN = (
    DeploymentStatus.PROPOSED,
    DeploymentStatus.ACCEPTED,
    DeploymentStatus.SCHEDULED,
    DeploymentStatus.REPORTED,
    DeploymentStatus.REVISION_REQUESTED,
)


deployment_files = Table(
    "deployment_files",
    Base.metadata,
    Column("deployment_id", ForeignKey("deployments.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ForeignKey("stored_files.id"), primary_key=True),
)


class Deployment(Base):
    """An expert sent to a State under a grant; nothing happens without the State's consent."""

    __tablename__ = "deployments"
    __audit_type__ = "deployment"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("person_days > 0", name="person_days_positive"),
        CheckConstraint("fee_minor >= 0 AND travel_budget_minor >= 0", name="costs_not_negative"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint(
            "status NOT IN ('scheduled', 'reported', 'revision_requested', 'completed')"
            " OR consented_at IS NOT NULL",
            name="scheduled_needs_consent",
        ),
        Index("ix_deployments_calendar", "expert_id", "start_date", "end_date"),
        Index("ix_deployments_status_created", "status", "created_at"),
        Index("ix_deployments_start", "start_date", "id"),  # the list's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    status: Mapped[DeploymentStatus] = mapped_column(
        str_enum(DeploymentStatus, "deployment_status"), default=DeploymentStatus.PROPOSED
    )
    terms_of_reference: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date]
    end_date: Mapped[date]
    person_days: Mapped[int]
    # The fee: the expert's daily rate × person-days, converted to the fund's currency.
    daily_rate_minor: Mapped[int]
    rate_currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[str] = mapped_column(String(32), default="1")
    currency: Mapped[str] = mapped_column(String(3))
    fee_minor: Mapped[int]
    travel_budget_minor: Mapped[int] = mapped_column(default=0)

    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    consented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_name: Mapped[str] = mapped_column(String(200), default="")
    consent_title: Mapped[str] = mapped_column(String(200), default="")
    consented_at: Mapped[datetime | None]

    report_summary: Mapped[str] = mapped_column(Text, default="")
    report_activities: Mapped[str] = mapped_column(Text, default="")
    report_recommendations_state: Mapped[str] = mapped_column(Text, default="")
    report_recommendations_partners: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None]

    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rated_at: Mapped[datetime | None]

    grant: Mapped[Grant] = relationship(lazy="joined")
    expert: Mapped[Expert] = relationship(lazy="joined")
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    files: Mapped[list[StoredFile]] = relationship(
        secondary=deployment_files, order_by=StoredFile.id
    )

    @property
    def status_enum(self) -> DeploymentStatus:
        return DeploymentStatus(self.status)

    @property
    def fee(self) -> Money:
        return Money(self.fee_minor, self.currency)

    @property
    def travel_budget(self) -> Money:
        return Money(self.travel_budget_minor, self.currency)

    @property
    def daily_rate(self) -> Money:
        return Money(self.daily_rate_minor, self.rate_currency)

    @property
    def cost(self) -> Money:
        return Money(self.fee_minor + self.travel_budget_minor, self.currency)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def holding_days(
    expert_id: Any, start: date, end: date, *, ignore: int | None = None
) -> list[ColumnElement[bool]]:
    """The conditions of a deployment of `expert_id` (a value or a column) that holds some
    of these days in the expert's calendar, `ignore` aside (the one being moved)."""
    clash = [
        Deployment.expert_id == expert_id,
        Deployment.status.in_(HOLDS_CALENDAR),
        Deployment.start_date <= end,
        Deployment.end_date >= start,
    ]
    if ignore is not None:
        clash.append(Deployment.id != ignore)
    return clash
