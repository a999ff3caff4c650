"""The models and the migrations must describe the same schema, on every backend."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core import audit
from app.extensions import db


def test_models_and_migrations_agree():
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_audit_log_refuses_update_and_delete_in_the_database(statement):
    audit.record(db.session(), "test.event", object_type="test", object_id=1)
    db.session.flush()
    savepoint = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    savepoint.rollback()
