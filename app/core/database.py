"""Declarative base, column types and engine tuning shared by every model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Engine, Integer, MetaData, String, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The demo data tells a year of history (grants accepted last year, a report now overdue) by
# running parts of itself at an earlier time. Only `app/demo` sets this; everywhere else it is
# unset and the clock is the real one.
_travel: ContextVar[timedelta | None] = ContextVar("sptf_clock_travel", default=None)


def utcnow() -> datetime:
    shift = _travel.get()
    now = datetime.now(UTC)
    return now if shift is None else now - shift


def today() -> date:
    return utcnow().date()


@contextmanager
def clock_at(day: date) -> Iterator[None]:
    """Run the block as if today were `day` (the demo data's history only)."""
    token = _travel.set(datetime.now(UTC).date() - day)
    try:
        yield
    finally:
        _travel.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite keeps no offset, so values are normalised to UTC on the way in and marked UTC on
    the way out; a naive datetime is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    # An explicit registry: Flask-SQLAlchemy subclasses this base, and SQLAlchemy only takes
    # a type_annotation_map given to the registry itself in that case.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            str: String(),
            # SQLite auto-increments only an INTEGER PRIMARY KEY; its INTEGER is 64-bit anyway.
            int: BigInteger().with_variant(Integer(), "sqlite"),
        },
    )

    def __repr__(self) -> str:
        ident = getattr(self, "id", None)
        return f"<{type(self).__name__} {ident}>"


def configure_engine(engine: Engine) -> None:
    """SQLite: foreign keys on, WAL, and every transaction BEGIN IMMEDIATE.

    BEGIN IMMEDIATE takes SQLite's write lock up front, which is what `SELECT ... FOR UPDATE`
    gives us on PostgreSQL: two racing requests cannot both read a balance and then write.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself instead of pysqlite's late, implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-only session (streamed exports) must not hold the write lock while it reads.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


READ_ONLY = "sptf_read_only"


@contextmanager
def read_only_session(engine: Engine) -> Iterator[Session]:
    """A session of its own for a response streamed after the view returns.

    The request's session is closed when the view returns, before a streamed body is read,
    so a stream needs its own session, closed when the stream ends. It reads only: on SQLite
    it does not take the write lock, on PostgreSQL the transaction is READ ONLY.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    with Session(engine.execution_options(**options)) as session:
        yield session


def str_enum(enum_cls: type[StrEnum], name: str, length: int = 32) -> SAEnum:
    """A string column limited to an enum's values, with a named CHECK constraint."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )
