"""Gapless, race-free counters for human-readable references (SPTF-2026-0001)."""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.database import Base


class Sequence(Base):
    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_value(session: Session, name: str) -> int:
    """The next number of the named counter; the row stays locked until the commit."""
    row = session.execute(
        select(Sequence).where(Sequence.name == name).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        # First use: create it; a concurrent first use fails on the primary key and retries
        # with the request, which is rare enough (once per counter) to accept.
        row = Sequence(name=name, value=0)
        session.add(row)
        session.flush()
    row.value += 1
    return row.value


def yearly_reference(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_value(session, f'{prefix}-{year}'):04d}"
