"""Reference data, the audit chain's head row, and append-only triggers on the audit log.

Revision ID: 0002
Revises: 0001
"""

import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from app.core.append_only import drop_trigger_statements, trigger_statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parents[2] / "app" / "reference" / "data"

states = sa.table(
    "states",
    sa.column("iso3", sa.String),
    sa.column("name", sa.String),
    sa.column("region", sa.String),
    sa.column("member", sa.Boolean),
    sa.column("ldc", sa.Boolean),
    sa.column("lldc", sa.Boolean),
    sa.column("sids", sa.Boolean),
)
themes = sa.table(
    "themes",
    sa.column("code", sa.String),
    sa.column("kind", sa.String),
    sa.column("name", sa.String),
)
mechanisms = sa.table(
    "mechanisms",
    sa.column("code", sa.String),
    sa.column("kind", sa.String),
    sa.column("name", sa.String),
)
sdgs = sa.table("sdgs", sa.column("number", sa.Integer), sa.column("name", sa.String))
audit_head = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("last_id", sa.Integer),
    sa.column("last_hash", sa.String),
)


def _rows(name):
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def upgrade():
    op.bulk_insert(
        states,
        [
            {
                "iso3": r["iso3"],
                "name": r["name"],
                "region": r["region"],
                "member": r["member"] == "1",
                "ldc": r["ldc"] == "1",
                "lldc": r["lldc"] == "1",
                "sids": r["sids"] == "1",
            }
            for r in _rows("states.csv")
        ],
    )
    op.bulk_insert(themes, _rows("themes.csv"))
    op.bulk_insert(mechanisms, _rows("mechanisms.csv"))
    op.bulk_insert(
        sdgs, [{"number": int(r["number"]), "name": r["name"]} for r in _rows("sdgs.csv")]
    )
    op.bulk_insert(audit_head, [{"id": 1, "last_id": 0, "last_hash": "0" * 64}])
    for statement in trigger_statements(op.get_bind().dialect.name, "audit_events"):
        op.execute(statement)


def downgrade():
    for statement in drop_trigger_statements(op.get_bind().dialect.name, "audit_events"):
        op.execute(statement)
    for table in ("audit_head", "sdgs", "mechanisms", "themes", "states"):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
