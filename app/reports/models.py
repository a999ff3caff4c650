"""Progress reports from the State, and the success stories drawn from them (design.md §3.5)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application, Indicator, Recommendation
from app.core.database import Base, str_enum, today, utcnow
from app.core.labels import LabelledEnum
from app.core.uploads import StoredFile
from app.grants.models import Grant, GrantStatus
from app.recommendations.models import ImplementationStatus


class ReportKind(LabelledEnum):
    INTERIM = "interim", _l("Interim report")
    FINAL = "final", _l("Final report")
    PROGRESS = "progress", _l("Progress report")  # an extra report the secretariat asks for


class ReportStatus(LabelledEnum):
    DUE = "due", _l("due"), "info"
    SUBMITTED = "submitted", _l("submitted, in review"), "warn"
    ACCEPTED = "accepted", _l("accepted"), "ok"
    REVISION_REQUESTED = "revision_requested", _l("to be revised"), "warn"


# The State still owes the report in these statuses: past the due date, it is overdue.
OWED = (ReportStatus.DUE, ReportStatus.REVISION_REQUESTED)
# ... but only while its grant runs: a cancelled or completed grant is owed nothing more (no
# reminders, not overdue, nothing to submit).
REPORTING_GRANT = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)


report_files = Table(
    "report_files",
    Base.metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ForeignKey("stored_files.id"), primary_key=True),
)


class Report(Base):
    __tablename__ = "reports"
    __audit_type__ = "report"
    __table_args__ = (
        CheckConstraint(
            "status NOT IN ('submitted', 'accepted') OR submitted_at IS NOT NULL",
            name="submitted_has_date",
        ),
        CheckConstraint(
            "status <> 'accepted' OR accepted_at IS NOT NULL", name="accepted_has_date"
        ),
        Index("ix_reports_status_due", "status", "due_date"),
        Index("ix_reports_due", "due_date", "id"),  # the list's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    due_date: Mapped[date]
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus, "report_status"), default=ReportStatus.DUE
    )
    achievements: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    good_practice: Mapped[str] = mapped_column(Text, default="")
    further_needs: Mapped[str] = mapped_column(Text, default="")
    draft_saved_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    # The new request drafted from this report's further needs: one per report.
    follow_up_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grant: Mapped[Grant] = relationship(lazy="joined")
    follow_up: Mapped[Application | None] = relationship(foreign_keys=[follow_up_application_id])
    indicators: Mapped[list[IndicatorProgress]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="IndicatorProgress.indicator_id",
    )
    recommendations: Mapped[list[RecommendationProgress]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="RecommendationProgress.recommendation_id",
    )
    files: Mapped[list[StoredFile]] = relationship(secondary=report_files, order_by=StoredFile.id)

    @property
    def status_enum(self) -> ReportStatus:
        return ReportStatus(self.status)

    @property
    def kind_enum(self) -> ReportKind:
        return ReportKind(self.kind)

    @property
    def is_owed(self) -> bool:
        return self.status_enum in OWED and self.grant.status_enum in REPORTING_GRANT

    @property
    def is_overdue(self) -> bool:
        return self.is_owed and self.due_date < today()

    @property
    def days_late(self) -> int:
        return max(0, (today() - self.due_date).days) if self.is_owed else 0


class IndicatorProgress(Base):
    """Where an indicator of the application stands, as the State reports it."""

    __tablename__ = "report_indicators"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("application_indicators.id"), primary_key=True
    )
    actual: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Report] = relationship(back_populates="indicators")
    indicator: Mapped[Indicator] = relationship(lazy="joined")


class RecommendationProgress(Base):
    """How far a linked recommendation is implemented, with the evidence."""

    __tablename__ = "report_recommendations"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("application_recommendations.id"), primary_key=True
    )
    status: Mapped[ImplementationStatus] = mapped_column(
        str_enum(ImplementationStatus, "implementation_status"),
        default=ImplementationStatus.NOT_STARTED,
    )
    evidence: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[Report] = relationship(back_populates="recommendations")
    recommendation: Mapped[Recommendation] = relationship(lazy="joined")

    @property
    def status_enum(self) -> ImplementationStatus:
        return ImplementationStatus(self.status)


class StoryStatus(LabelledEnum):
    DRAFT = "draft", _l("draft"), "neutral"
    AWAITING_CONSENT = "awaiting_consent", _l("waiting for the State's consent"), "warn"
    PUBLISHED = "published", _l("published"), "ok"
    WITHDRAWN = "withdrawn", _l("withdrawn"), "err"


story_recommendations = Table(
    "story_recommendations",
    Base.metadata,
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", ForeignKey("application_recommendations.id"), primary_key=True),
)


class Story(Base):
    """A success story drafted by the secretariat from an accepted report; public only once
    the State's focal point consents."""

    __tablename__ = "stories"
    __audit_type__ = "story"
    __table_args__ = (
        CheckConstraint(
            "status <> 'published' OR (consented_at IS NOT NULL AND published_at IS NOT NULL)",
            name="published_needs_consent",
        ),
        Index("ix_stories_status_published", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    status: Mapped[StoryStatus] = mapped_column(
        str_enum(StoryStatus, "story_status"), default=StoryStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    photo_credit: Mapped[str] = mapped_column(String(200), default="")
    photo_alt: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    consent_requested_at: Mapped[datetime | None]
    consented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_name: Mapped[str] = mapped_column(String(200), default="")
    consent_title: Mapped[str] = mapped_column(String(200), default="")
    consented_at: Mapped[datetime | None]
    declined_reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    grant: Mapped[Grant] = relationship(lazy="joined")
    report: Mapped[Report] = relationship()
    photo: Mapped[StoredFile | None] = relationship()
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=story_recommendations, order_by=Recommendation.id
    )

    @property
    def status_enum(self) -> StoryStatus:
        return StoryStatus(self.status)

    @property
    def is_public(self) -> bool:
        return self.status_enum is StoryStatus.PUBLISHED
