"""an index in the missions list's order (bench/: the list sorted every mission, with its
grant, request, expert and States joined, before taking a page)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index("ix_deployments_start", ["start_date", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_index("ix_deployments_start")
