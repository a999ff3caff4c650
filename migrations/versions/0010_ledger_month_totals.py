"""ledger month totals: each account's entries summed per month and kind of transaction

A cache kept in the same transaction as the entries, like each account's balance, so the
charts of money over time read a few rows rather than every entry (bench/: the fund and
ledger pages took half a second each on a million entries). Filled here from the entries
already posted; `ledger verify` checks it against them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "ledger_month_totals",
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("amount_minor", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_month_totals_account_id_ledger_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", "month", "kind", name=op.f("pk_ledger_month_totals")),
    )
    if op.get_bind().dialect.name == "postgresql":
        month = "date_trunc('month', t.effective_on)::date"
    else:
        month = "date(t.effective_on, 'start of month')"
    op.execute(
        "INSERT INTO ledger_month_totals (account_id, month, kind, amount_minor)"  # noqa: S608 (fixed SQL)
        f" SELECT e.account_id, {month}, t.kind, sum(e.amount_minor)"
        " FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id"
        f" GROUP BY e.account_id, {month}, t.kind"
        " HAVING sum(e.amount_minor) <> 0"
    )


def downgrade():
    op.drop_table("ledger_month_totals")
