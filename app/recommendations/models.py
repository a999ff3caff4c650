"""The register of recommendations a State received, and the dated history of their status."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
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
from app.reference.models import Mechanism, SdgTarget, SpecialProcedure, State, Theme


class RecommendationSource(StrEnum):
    UHRI = "uhri"  # imported from the Universal Human Rights Index
    MANUAL = "manual"  # typed: the Index does not have it


class RecommendationKind(LabelledEnum):
    RECOMMENDATION = "recommendation", lazy_pgettext("kind of annotation", "recommendation")
    # A treaty body's concern or observation.
    CONCERN = "concern_observation", lazy_pgettext("kind of annotation", "concern or observation")


class UprPosition(LabelledEnum):
    """The State under review's response to a UPR recommendation."""

    SUPPORTED = "supported", lazy_pgettext("UPR position", "supported")
    NOTED = "noted", lazy_pgettext("UPR position", "noted")


class ImplementationStatus(LabelledEnum):
    NOT_STARTED = "not_started", _l("not started")
    IN_PROGRESS = "in_progress", _l("in progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _l("partially implemented")
    IMPLEMENTED = "implemented", _l("implemented")


class StatusOrigin(StrEnum):
    REPORT = "report"  # a progress report on a grant said so
    VOLUNTARY = "voluntary"  # the State posted it, with or without a grant


# Themes and affected persons share one table: the theme's own kind (`theme` or `group`)
# tells which list it belongs to.
recommendation_themes = Table(
    "recommendation_themes",
    Base.metadata,
    Column(
        "recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("theme_code", ForeignKey("themes.code"), primary_key=True),
    Index("ix_recommendation_themes_theme", "theme_code", "recommendation_id"),
)
recommendation_sdg_targets = Table(
    "recommendation_sdg_targets",
    Base.metadata,
    Column(
        "recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("target", ForeignKey("sdg_targets.target"), primary_key=True),
    Index("ix_recommendation_sdg_targets_target", "target", "recommendation_id"),
)
recommending_states = Table(
    "recommendation_recommending_states",
    Base.metadata,
    Column(
        "recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("state_iso3", ForeignKey("states.iso3"), primary_key=True),
)


class StateRecommendation(Base):
    """A recommendation (or a treaty body's concern) a State received: one row per State
    concerned, kept across grants."""

    __tablename__ = "recommendations"
    __audit_type__ = "recommendation"
    __table_args__ = (
        # The Index's annotation id is the key of a re-import; a row concerning two States is
        # registered once for each.
        UniqueConstraint("state_iso3", "annotation_id"),
        CheckConstraint(
            "source <> 'uhri' OR annotation_id IS NOT NULL", name="uhri_has_annotation"
        ),
        CheckConstraint(
            "mandate_code IS NULL OR mechanism_code = 'SP'", name="mandate_is_special_procedure"
        ),
        CheckConstraint(
            "(upr_position IS NULL AND upr_session IS NULL) OR mechanism_code = 'UPR'",
            name="upr_fields_only_upr",
        ),
        CheckConstraint(
            "upr_session IS NULL OR upr_session BETWEEN 1 AND 999", name="upr_session_range"
        ),
        Index("ix_recommendations_state_mechanism", "state_iso3", "mechanism_code"),
        Index("ix_recommendations_state_status", "state_iso3", "status"),
        Index("ix_recommendations_state_published", "state_iso3", "published_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state_iso3: Mapped[str] = mapped_column(ForeignKey("states.iso3"))
    annotation_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[RecommendationSource] = mapped_column(
        str_enum(RecommendationSource, "recommendation_source")
    )
    kind: Mapped[RecommendationKind] = mapped_column(
        str_enum(RecommendationKind, "recommendation_kind")
    )
    mechanism_code: Mapped[str] = mapped_column(ForeignKey("mechanisms.code"))
    # The individual special procedure mandate, when the body is one (mechanism `SP`).
    mandate_code: Mapped[str | None] = mapped_column(ForeignKey("special_procedures.code"))
    symbol: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    upr_session: Mapped[int | None]
    upr_position: Mapped[UprPosition | None] = mapped_column(str_enum(UprPosition, "upr_position"))
    published_on: Mapped[date | None]
    status: Mapped[ImplementationStatus] = mapped_column(
        str_enum(ImplementationStatus, "implementation_status"),
        default=ImplementationStatus.NOT_STARTED,
    )
    status_changed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    state: Mapped[State] = relationship()
    mechanism: Mapped[Mechanism] = relationship()
    mandate: Mapped[SpecialProcedure | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    all_themes: Mapped[list[Theme]] = relationship(
        secondary=recommendation_themes, order_by=Theme.name
    )
    sdg_targets: Mapped[list[SdgTarget]] = relationship(
        secondary=recommendation_sdg_targets, order_by=SdgTarget.target
    )
    recommending_states: Mapped[list[State]] = relationship(
        secondary=recommending_states, order_by=State.name
    )
    history: Mapped[list[StatusUpdate]] = relationship(
        back_populates="recommendation", order_by="StatusUpdate.id"
    )

    @property
    def body(self) -> str:
        """The body that made it: the mandate's code for a special procedure, else the
        mechanism's (`UPR`, `CAT`, …)."""
        return self.mandate_code or self.mechanism_code

    @property
    def themes(self) -> list[Theme]:
        return [t for t in self.all_themes if t.kind == "theme"]

    @property
    def affected_persons(self) -> list[Theme]:
        return [t for t in self.all_themes if t.kind != "theme"]

    @property
    def status_enum(self) -> ImplementationStatus:
        return ImplementationStatus(self.status)

    @property
    def kind_enum(self) -> RecommendationKind:
        return RecommendationKind(self.kind)


class StatusUpdate(Base):
    """One dated, attributed step of a recommendation's implementation status: never edited."""

    __tablename__ = "recommendation_status_updates"
    __append_only__ = True
    __table_args__ = (
        CheckConstraint("origin <> 'report' OR report_id IS NOT NULL", name="report_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    status: Mapped[ImplementationStatus] = mapped_column(
        str_enum(ImplementationStatus, "implementation_status")
    )
    origin: Mapped[StatusOrigin] = mapped_column(str_enum(StatusOrigin, "status_origin"))
    # The progress report that said so (reports sit above this package; the key is enough).
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recommendation: Mapped[StateRecommendation] = relationship(back_populates="history")
    created_by: Mapped[User | None] = relationship()

    @property
    def status_enum(self) -> ImplementationStatus:
        return ImplementationStatus(self.status)
