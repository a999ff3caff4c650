"""Append-only tables: refused in code (a flush guard) and in the database (triggers).

Models opt in with `__append_only__ = True`. Migrations call `create_triggers()` so the
database refuses an UPDATE or DELETE even from a client that bypasses the application.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.errors import DomainError


class AppendOnlyViolation(DomainError):
    status = 500
    code = "append_only"


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(obj, "__append_only__", False) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise AppendOnlyViolation(_("%(table)s rows are append-only", table=type(obj).__name__))


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sptf_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$
"""


def trigger_statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            PG_FUNCTION,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sptf_refuse_change()",
        ]
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    return []


def drop_trigger_statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    return []
