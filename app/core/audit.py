"""The append-only, hash-chained audit log (design.md §6).

Each row's hash is sha256(previous hash + canonical record). A single head row, locked for
update while appending, serialises writers so the chain never forks, and lets `verify()`
notice a deleted last row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.database import Base, utcnow

GENESIS_HASH = "0" * 64

# Where the current unit of work comes from ("web 203.0.113.5", "api", "cli", "job").
audit_origin: ContextVar[str] = ContextVar("audit_origin", default="system")


class Actor(Protocol):
    id: int
    email: str


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __append_only__ = True
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_email: Mapped[str | None] = mapped_column(String(320))
    origin: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def record(self) -> str:
        return canonical_record(self)

    @property
    def data_dict(self) -> dict[str, Any]:
        value = json.loads(self.data)
        return value if isinstance(value, dict) else {"value": value}


class AuditHead(Base):
    """One row: the id and hash of the newest audit event."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_record(event: AuditEvent) -> str:
    return _json(
        {
            "id": event.id,
            "created_at": event.created_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_email": event.actor_email,
            "origin": event.origin,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "data": event.data,
        }
    )


def chain_hash(prev_hash: str, record: str) -> str:
    return hashlib.sha256((prev_hash + record).encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    obj: Any = None,
    *,
    actor: Actor | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction; never commits."""
    if obj is not None:
        object_type = object_type or getattr(obj, "__audit_type__", type(obj).__name__.lower())
        if obj in session.new:
            session.flush()  # so a new object has its id before we name it
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    event = AuditEvent(
        id=head.last_id + 1,
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        origin=audit_origin.get(),
        action=action,
        object_type=object_type or "system",
        object_id=str(object_id) if object_id is not None else "",
        data=_json(dict(data or {})),
        prev_hash=head.last_hash,
    )
    event.hash = chain_hash(event.prev_hash, event.record())
    session.add(event)
    head.last_id = event.id
    head.last_hash = event.hash
    return event


@dataclass(frozen=True)
class ChainProblem:
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"audit_events row {self.row_id}" if self.row_id is not None else "audit_head"
        return f"{where}: {self.message}"


def iter_problems(session: Session) -> Generator[ChainProblem, None, None]:
    """Walk the chain from the first event; yield every inconsistency found."""
    expected_id = 1
    running = GENESIS_HASH
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    )
    try:
        for event in rows.scalars():
            if event.id != expected_id:
                yield ChainProblem(
                    expected_id, f"missing (next row found is {event.id}): deleted or reordered"
                )
            if event.prev_hash != running:
                yield ChainProblem(event.id, "previous-hash link broken: a row before it changed")
            if chain_hash(event.prev_hash, event.record()) != event.hash:
                yield ChainProblem(event.id, "hash does not match its contents: the row was edited")
            running = event.hash
            expected_id = event.id + 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL: release it even when stopped early
    head = session.get(AuditHead, 1)
    if head is None:
        yield ChainProblem(None, "head row missing")
    elif head.last_id != expected_id - 1 or head.last_hash != running:
        yield ChainProblem(
            None,
            f"head names row {head.last_id} but the chain ends at row {expected_id - 1}: "
            "rows were deleted or appended outside the application",
        )


def latest_hash(session: Session) -> str:
    head = session.get(AuditHead, 1)
    return head.last_hash if head is not None else GENESIS_HASH
