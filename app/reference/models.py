from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import Base, str_enum
from app.core.roles import Region


class State(Base):
    """A UN Member or observer State, keyed by ISO 3166-1 alpha-3."""

    __tablename__ = "states"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[Region] = mapped_column(str_enum(Region, "region"), index=True)
    member: Mapped[bool] = mapped_column(default=True)
    ldc: Mapped[bool] = mapped_column(default=False)
    lldc: Mapped[bool] = mapped_column(default=False)
    sids: Mapped[bool] = mapped_column(default=False)

    @property
    def flags(self) -> list[str]:
        return [
            label
            for label, on in ((_("LDC"), self.ldc), (_("LLDC"), self.lldc), (_("SIDS"), self.sids))
            if on
        ]

    def __str__(self) -> str:
        return self.name


class Theme(Base):
    """A human rights theme or affected-person group (Universal Human Rights Index)."""

    __tablename__ = "themes"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "theme" or "group"
    name: Mapped[str] = mapped_column(String(160))


class Mechanism(Base):
    __tablename__ = "mechanisms"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # upr, treaty_body, special_procedures
    name: Mapped[str] = mapped_column(String(160))


class Sdg(Base):
    __tablename__ = "sdgs"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))


class SdgTarget(Base):
    """One of the 169 targets of the SDGs, numbered as the UN numbers them (`16.3`, `1.a`)."""

    __tablename__ = "sdg_targets"

    target: Mapped[str] = mapped_column(String(6), primary_key=True)
    goal: Mapped[int] = mapped_column(ForeignKey("sdgs.number"), index=True)
    name: Mapped[str] = mapped_column(String(300))


class SpecialProcedure(Base):
    """A special procedure mandate of the Human Rights Council: a body of its own.

    The mechanism `SP` is the family they belong to (and what requests typed before the
    mandates were listed still name). `kind` is `SR`, `IE` or `WG`; `uhri_prefix` is the
    abbreviation that opens the mandate's line in the Universal Human Rights Index's
    `Reccomending Body` column ("SR on the right to food"), `name` the official English title.
    """

    __tablename__ = "special_procedures"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(300))
    uhri_prefix: Mapped[str] = mapped_column(String(300), default="")
