from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.database import Base, str_enum, utcnow
from app.core.labels import LabelledEnum
from app.core.money import Money
from app.core.uploads import StoredFile
from app.reference.models import Mechanism, Sdg, State, Theme


class ApplicationStatus(LabelledEnum):
    DRAFT = "draft", _l("draft"), "neutral"
    SUBMITTED = "submitted", _l("submitted"), "info"
    RETURNED = "returned", _l("returned for changes"), "warn"
    INELIGIBLE = "ineligible", _l("ineligible — referred"), "err"
    IN_REVIEW = "in_review", _l("in committee review"), "info"
    APPROVED = "approved", _l("approved"), "ok"
    REJECTED = "rejected", _l("not approved"), "err"
    DEFERRED = "deferred", _l("deferred"), "warn"
    WITHDRAWN = "withdrawn", _l("withdrawn"), "neutral"


# Statuses the committee may see: the request reached it.
COMMITTEE_VISIBLE = frozenset(
    {
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.DEFERRED,
    }
)
DECIDED = frozenset({ApplicationStatus.APPROVED, ApplicationStatus.REJECTED})


class BudgetCategory(LabelledEnum):
    EXPERTS = "experts", _l("Experts and facilitators")
    TRAINING = "training", _l("Training and workshops")
    TRAVEL = "travel", _l("Travel and subsistence")
    CONSULTATION = "consultation", _l("Consultations with rights-holders and civil society")
    PUBLICATIONS = "publications", _l("Publications and awareness-raising")
    EQUIPMENT = "equipment", _l("Equipment and software")
    TRANSLATION = "translation", _l("Translation and interpretation")
    OTHER = "other", _l("Other")


application_themes = Table(
    "application_themes",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_code", ForeignKey("themes.code"), primary_key=True),
)
application_sdgs = Table(
    "application_sdgs",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("sdg_number", ForeignKey("sdgs.number"), primary_key=True),
)
expertise_themes = Table(
    "application_expertise_themes",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_code", ForeignKey("themes.code"), primary_key=True),
)
application_attachments = Table(
    "application_attachments",
    Base.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ForeignKey("stored_files.id"), primary_key=True, unique=True),
)


class Application(Base):
    __tablename__ = "applications"
    __audit_type__ = "application"
    __table_args__ = (
        CheckConstraint("requested_amount_minor >= 0", name="requested_not_negative"),
        CheckConstraint(
            "approved_amount_minor IS NULL OR approved_amount_minor > 0", name="approved_positive"
        ),
        CheckConstraint(
            "status NOT IN ('approved', 'rejected') OR decided_at IS NOT NULL",
            name="decided_has_date",
        ),
        CheckConstraint(
            "status <> 'approved' OR approved_amount_minor IS NOT NULL", name="approved_has_amount"
        ),
        CheckConstraint(
            "approved_amount_minor IS NULL OR approved_amount_minor <= requested_amount_minor",
            name="approved_within_request",
        ),
        CheckConstraint(
            "duration_months IS NULL OR duration_months BETWEEN 1 AND 60", name="duration_range"
        ),
        Index("ix_applications_status_submitted", "status", "submitted_at"),
        Index("ix_applications_created", "created_at", "id"),  # the list's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"),
        default=ApplicationStatus.DRAFT,
        index=True,
    )
    version: Mapped[int] = mapped_column(default=0)  # number of frozen (submitted) versions

    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    activities: Mapped[str] = mapped_column(Text, default="")
    duration_months: Mapped[int | None]
    implementing_entity: Mapped[str] = mapped_column(String(300), default="")
    currency: Mapped[str] = mapped_column(String(3))
    requested_amount_minor: Mapped[int] = mapped_column(default=0)
    cofinancing_amount_minor: Mapped[int | None]
    cofinancing_note: Mapped[str] = mapped_column(Text, default="")
    expertise_person_days: Mapped[int | None]
    expertise_languages: Mapped[str] = mapped_column(String(200), default="")  # "en fr"

    consent_official_name: Mapped[str] = mapped_column(String(200), default="")
    consent_official_title: Mapped[str] = mapped_column(String(200), default="")
    consent_given_at: Mapped[datetime | None]
    consent_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]  # the latest submission
    first_submitted_at: Mapped[datetime | None]  # the queue's order: oldest first
    screened_at: Mapped[datetime | None]
    screening_note: Mapped[str] = mapped_column(Text, default="")
    referral: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    approved_amount_minor: Mapped[int | None]

    state: Mapped[State] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    themes: Mapped[list[Theme]] = relationship(secondary=application_themes, order_by=Theme.name)
    sdgs: Mapped[list[Sdg]] = relationship(secondary=application_sdgs, order_by=Sdg.number)
    expertise_themes: Mapped[list[Theme]] = relationship(
        secondary=expertise_themes, order_by=Theme.name
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="application", order_by="Recommendation.id", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="application", order_by="Indicator.id", cascade="all, delete-orphan"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application", order_by="BudgetLine.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[StoredFile]] = relationship(
        secondary=application_attachments, order_by=StoredFile.id
    )
    versions: Mapped[list[ApplicationVersion]] = relationship(
        back_populates="application", order_by="ApplicationVersion.number"
    )

    # -- derived values and yes/no questions ------------------------------------------------

    @property
    def status_enum(self) -> ApplicationStatus:
        return ApplicationStatus(self.status)

    @property
    def requested(self) -> Money:
        return Money(self.requested_amount_minor, self.currency)

    @property
    def approved(self) -> Money | None:
        if self.approved_amount_minor is None:
            return None
        return Money(self.approved_amount_minor, self.currency)

    @property
    def cofinancing(self) -> Money | None:
        if self.cofinancing_amount_minor is None:
            return None
        return Money(self.cofinancing_amount_minor, self.currency)

    @property
    def has_consent(self) -> bool:
        return (
            self.consent_given_at is not None
            and bool(self.consent_official_name.strip())
            and bool(self.consent_official_title.strip())
        )

    @property
    def language_codes(self) -> list[str]:
        return [c for c in self.expertise_languages.split() if c]

    @property
    def is_editable(self) -> bool:
        return self.status_enum in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)

    @property
    def was_submitted(self) -> bool:
        return self.version > 0


class Recommendation(Base):
    """A recommendation the State received, which the project helps implement."""

    __tablename__ = "application_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    mechanism_code: Mapped[str] = mapped_column(ForeignKey("mechanisms.code"))
    reference: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    recommending_body: Mapped[str] = mapped_column(String(200), default="")
    cycle: Mapped[str] = mapped_column(String(60), default="")

    application: Mapped[Application] = relationship(back_populates="recommendations")
    mechanism: Mapped[Mechanism] = relationship(lazy="joined")


class Indicator(Base):
    """An expected result and how progress toward it is measured."""

    __tablename__ = "application_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    result: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(100))

    application: Mapped[Application] = relationship(back_populates="indicators")

    @property
    def is_numeric(self) -> bool:
        """A numeric indicator's report values must be numbers."""
        try:
            Decimal(self.baseline.replace(",", ""))
            Decimal(self.target.replace(",", ""))
        except (InvalidOperation, ValueError):
            return False
        return True


class BudgetLine(Base):
    __tablename__ = "application_budget_lines"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BudgetCategory] = mapped_column(str_enum(BudgetCategory, "budget_category"))
    description: Mapped[str] = mapped_column(String(300))
    amount_minor: Mapped[int]

    application: Mapped[Application] = relationship(back_populates="budget_lines")

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.application.currency)


class ApplicationVersion(Base):
    """The application as it was when submitted: frozen, never edited."""

    __tablename__ = "application_versions"
    __append_only__ = True
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    snapshot: Mapped[str] = mapped_column(Text)  # canonical JSON of the content

    application: Mapped[Application] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship()
