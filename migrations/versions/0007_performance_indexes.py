"""performance indexes for the list pages' default order (bench/)

The benchmark (bench/run.py, 50,000 applications, 250,000 contributions) showed each of these
lists sorting its whole table for every page: an index in the list's order lets PostgreSQL
read just the page.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 05:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = [
    # /applications (newest first), for the secretariat, the committee and the auditor
    ("applications", "ix_applications_created", ["created_at", "id"]),
    # /contributions (newest first), for the secretariat and the auditor
    ("contributions", "ix_contributions_created", ["created_at", "id"]),
    # /grants (newest first)
    ("grants", "ix_grants_created", ["created_at", "id"]),
    # /ballots and the committee's dashboard: the latest closed ballots
    ("ballots", "ix_ballots_status_closed", ["status", "closed_at"]),
    # /reports, by due date
    ("reports", "ix_reports_due", ["due_date", "id"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
