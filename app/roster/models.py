"""The roster of experts and their deployments to States (DESIGN §3.4)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.database import Base, str_enum, utcnow
from app.core.money import Money
from app.core.uploads import StoredFile
from app.grants.models import Grant
from app.reference.models import Mechanism, Theme


class ExpertStatus(StrEnum):
    APPLIED = "applied"  # waiting for the secretariat's vetting
    ACTIVE = "active"
    REJECTED = "rejected"
    INACTIVE = "inactive"  # deactivated by the secretariat

    @property
    def label(self) -> str:
        return str(EXPERT_LABELS[self])

    @property
    def tone(self) -> str:
        return {"applied": "warn", "active": "ok", "rejected": "err", "inactive": "neutral"}[
            self.value
        ]


EXPERT_LABELS = {
    ExpertStatus.APPLIED: _l("awaiting vetting"),
    ExpertStatus.ACTIVE: _l("active"),
    ExpertStatus.REJECTED: _l("not accepted"),
    ExpertStatus.INACTIVE: _l("deactivated"),
}


class LanguageLevel(StrEnum):
    BASIC = "basic"
    WORKING = "working"
    FLUENT = "fluent"
    NATIVE = "native"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {
    LanguageLevel.BASIC: _l("basic"),
    LanguageLevel.WORKING: _l("working knowledge"),
    LanguageLevel.FLUENT: _l("fluent"),
    LanguageLevel.NATIVE: _l("native"),
}

expert_themes = Table(
    "expert_themes",
    Base.metadata,
    Column("expert_id", ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_code", ForeignKey("themes.code"), primary_key=True, index=True),
)
expert_mechanisms = Table(
    "expert_mechanisms",
    Base.metadata,
    Column("expert_id", ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True),
    Column("mechanism_code", ForeignKey("mechanisms.code"), primary_key=True),
)


class Expert(Base):
    """An expert's roster profile. Nationality is the user's State (`users.state_iso3`)."""

    __tablename__ = "experts"
    __audit_type__ = "expert"
    __table_args__ = (
        CheckConstraint(
            "years_experience IS NULL OR (years_experience >= 0 AND years_experience <= 70)",
            name="years_range",
        ),
        CheckConstraint(
            "daily_rate_minor IS NULL OR daily_rate_minor > 0", name="daily_rate_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    status: Mapped[ExpertStatus] = mapped_column(
        str_enum(ExpertStatus, "expert_status"), default=ExpertStatus.APPLIED, index=True
    )
    current_position: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    years_experience: Mapped[int | None]
    daily_rate_minor: Mapped[int | None]
    rate_currency: Mapped[str] = mapped_column(String(3), default="USD")
    references: Mapped[str] = mapped_column(Text, default="")
    cv_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    status_note: Mapped[str] = mapped_column(Text, default="")  # why rejected or deactivated
    vetted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    vetted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    cv: Mapped[StoredFile | None] = relationship()
    languages: Mapped[list[ExpertLanguage]] = relationship(
        back_populates="expert", order_by="ExpertLanguage.code", cascade="all, delete-orphan"
    )
    themes: Mapped[list[Theme]] = relationship(secondary=expert_themes, order_by=Theme.name)
    mechanisms: Mapped[list[Mechanism]] = relationship(
        secondary=expert_mechanisms, order_by=Mechanism.code
    )
    availability: Mapped[list[Availability]] = relationship(
        back_populates="expert", order_by="Availability.start_date", cascade="all, delete-orphan"
    )

    @property
    def status_enum(self) -> ExpertStatus:
        return ExpertStatus(self.status)

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def nationality(self) -> str | None:
        return self.user.state_iso3

    @property
    def daily_rate(self) -> Money | None:
        if self.daily_rate_minor is None:
            return None
        return Money(self.daily_rate_minor, self.rate_currency)

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    @property
    def theme_codes(self) -> list[str]:
        return [theme.code for theme in self.themes]


class ExpertLanguage(Base):
    __tablename__ = "expert_languages"

    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)  # ISO 639-1
    level: Mapped[LanguageLevel] = mapped_column(
        str_enum(LanguageLevel, "language_level"), default=LanguageLevel.WORKING
    )

    expert: Mapped[Expert] = relationship(back_populates="languages")

    @property
    def level_enum(self) -> LanguageLevel:
        return LanguageLevel(self.level)


class Availability(Base):
    """A period the expert can travel for a mission (both days included)."""

    __tablename__ = "expert_availability"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        Index("ix_expert_availability_window", "expert_id", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    start_date: Mapped[date]
    end_date: Mapped[date]

    expert: Mapped[Expert] = relationship(back_populates="availability")


class DeploymentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    REPORTED = "reported"
    REVISION_REQUESTED = "revision_requested"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(DEPLOYMENT_LABELS[self])

    @property
    def tone(self) -> str:
        return DEPLOYMENT_TONES[self]


DEPLOYMENT_LABELS = {
    DeploymentStatus.PROPOSED: _l("offered to the expert"),
    DeploymentStatus.ACCEPTED: _l("waiting for the State's consent"),
    DeploymentStatus.DECLINED: _l("declined by the expert"),
    DeploymentStatus.SCHEDULED: _l("scheduled"),
    DeploymentStatus.REPORTED: _l("mission report in review"),
    DeploymentStatus.REVISION_REQUESTED: _l("report to be revised"),
    DeploymentStatus.COMPLETED: _l("completed"),
    DeploymentStatus.CANCELLED: _l("cancelled"),
}
DEPLOYMENT_TONES = {
    DeploymentStatus.PROPOSED: "info",
    DeploymentStatus.ACCEPTED: "warn",
    DeploymentStatus.DECLINED: "neutral",
    DeploymentStatus.SCHEDULED: "ok",
    DeploymentStatus.REPORTED: "info",
    DeploymentStatus.REVISION_REQUESTED: "warn",
    DeploymentStatus.COMPLETED: "ok",
    DeploymentStatus.CANCELLED: "err",
}
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
