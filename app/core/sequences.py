"""Gapless, race-free counters for human-readable references (SPTF-2026-0001)."""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.database import Base


class Sequence(Base):
    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def _locked(session: Session, name: str) -> Sequence | None:
    return session.execute(
        select(Sequence)
        .where(Sequence.name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def next_value(session: Session, name: str) -> int:
    """The next number of the named counter; the row stays locked until the commit."""
    row = _locked(session, name)
    if row is None:
        # First use. Two requests may get here at once: the insert skips a row that another
        # transaction has inserted (on PostgreSQL it waits for that one to commit first), and
        # both then lock the one row and count in turn.
        insert = (
            postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        session.execute(
            insert(Sequence)
            .values(name=name, value=0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        row = _locked(session, name)
        if row is None:  # inserted by us or by the transaction we waited for: never
            raise RuntimeError(f"the counter {name!r} could not be created")
    row.value += 1
    return row.value


def yearly_reference(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_value(session, f'{prefix}-{year}'):04d}"
