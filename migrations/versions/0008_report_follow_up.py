"""the request drafted from a report's further needs (one per report)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "follow_up_application_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_reports_follow_up_application_id"), ["follow_up_application_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reports_follow_up_application_id_applications"),
            "applications",
            ["follow_up_application_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reports_follow_up_application_id_applications"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_reports_follow_up_application_id"), type_="unique")
        batch_op.drop_column("follow_up_application_id")
