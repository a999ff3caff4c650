"""The roster's experts: profiles, languages, themes, availability and vetting (design.md §3.4)."""

from __future__ import annotations

from datetime import date, datetime

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
from app.core.labels import LabelledEnum
from app.core.money import Money
from app.core.uploads import StoredFile
from app.reference.models import Mechanism, Theme


class ExpertStatus(LabelledEnum):
    APPLIED = "applied", _l("awaiting vetting"), "warn"  # waiting for the secretariat's vetting
    ACTIVE = "active", _l("active"), "ok"
    REJECTED = "rejected", _l("not accepted"), "err"
    INACTIVE = "inactive", _l("deactivated"), "neutral"  # deactivated by the secretariat


class LanguageLevel(LabelledEnum):
    BASIC = "basic", _l("basic")
    WORKING = "working", _l("working knowledge")
    FLUENT = "fluent", _l("fluent")
    NATIVE = "native", _l("native")


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

    def is_available(self, start: date, end: date) -> bool:
        """One of its availability periods holds the whole mission."""
        return any(p.start_date <= start and p.end_date >= end for p in self.availability)


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
