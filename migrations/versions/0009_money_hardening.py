"""money: the fund's shortfall and exchange differences in the ledger; contributions keep
what a pledge received in its own currency, card disputes apart from refunds, the charge and
whether its fee is known, and a two-officer correction of a bank transfer

Existing rows: `disputed_minor` starts at 0 (older rows counted disputes in
`refunded_minor`; the sum, which the checks use, is unchanged) and `received_original_minor`
is derived from what was received at the contribution's rate.

SQLite cannot alter a CHECK constraint, and rebuilding the append-only ledger tables with
foreign keys on would fail; the new accounts' categories and transactions' kinds only widen
the allowed values, so the constraint text is edited in place, which is the procedure
SQLite documents for such changes (lang_altertable.html, "other kinds of table schema
changes"). Existing rows stay valid because the rules only widen.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_CATEGORIES = (
    "'cash', 'pledges', 'contributions', 'fees', 'committed_funds', 'commitment', "
    "'disbursements', 'due_to_processor'"
)
NEW_CATEGORIES = OLD_CATEGORIES + ", 'shortfall', 'exchange'"
OLD_SIGN = (
    "(category IN ('cash', 'pledges', 'fees', 'committed_funds', 'disbursements') AND "
    "balance_minor >= 0) OR (category IN ('contributions', 'commitment', 'due_to_processor') "
    "AND balance_minor <= 0)"
)
NEW_SIGN = (
    "(category IN ('cash', 'pledges', 'fees', 'committed_funds', 'disbursements', 'shortfall')"
    " AND balance_minor >= 0) OR (category IN ('contributions', 'commitment', "
    "'due_to_processor') AND balance_minor <= 0) OR category = 'exchange'"
)
OLD_KINDS = (
    "'contribution', 'pledge', 'pledge_receipt', 'pledge_cancellation', 'fee', 'commitment', "
    "'release', 'disbursement', 'refund', 'dispute', 'reversal'"
)
NEW_KINDS = OLD_KINDS + ", 'shortfall', 'shortfall_covered'"

# (table, constraint, old condition, new condition)
CHECKS = [
    ("ledger_accounts", "ck_ledger_accounts_balance_sign", OLD_SIGN, NEW_SIGN),
    (
        "ledger_accounts",
        "ck_ledger_accounts_account_category",
        f"category IN ({OLD_CATEGORIES})",
        f"category IN ({NEW_CATEGORIES})",
    ),
    (
        "ledger_transactions",
        "ck_ledger_transactions_transaction_kind",
        f"kind IN ({OLD_KINDS})",
        f"kind IN ({NEW_KINDS})",
    ),
]

CONTRIBUTION_CHECKS = [
    (
        "ck_contributions_disputed_range",
        "disputed_minor >= 0 AND refunded_minor + disputed_minor <= received_minor",
    ),
    (
        "ck_contributions_received_original_range",
        "received_original_minor >= 0 AND received_original_minor <= original_amount_minor",
    ),
    (
        "ck_contributions_correction_maker_checker",
        "corrected_by_id IS NULL OR corrected_by_id <> correction_requested_by_id",
    ),
]

BACKFILL = (
    "UPDATE contributions SET received_original_minor = CASE"
    " WHEN received_minor >= base_amount_minor THEN original_amount_minor"
    " WHEN original_currency = base_currency THEN received_minor"
    " ELSE received_minor * original_amount_minor / base_amount_minor END"
)


def _sqlite_edit_checks(pairs):
    """Replace CHECK conditions in SQLite's stored schema (old text → new text)."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    for table, old, new in pairs:
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar()
        if old not in sql:
            raise RuntimeError(f"{table}: expected constraint text not found")
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(old, new), table),
        )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_edit_checks([(table, old, new) for table, _name, old, new in CHECKS])
        checks = dict(CONTRIBUTION_CHECKS)
        # (After a SQLite downgrade the columns are still there: see downgrade().)
        present = {c["name"] for c in sa.inspect(bind).get_columns("contributions")}
        for statement in (
            "ADD COLUMN received_original_minor INTEGER NOT NULL DEFAULT 0"
            " CONSTRAINT ck_contributions_received_original_range"
            f" CHECK ({checks['ck_contributions_received_original_range']})",
            "ADD COLUMN disputed_minor INTEGER NOT NULL DEFAULT 0"
            " CONSTRAINT ck_contributions_disputed_range"
            f" CHECK ({checks['ck_contributions_disputed_range']})",
            "ADD COLUMN fee_known BOOLEAN NOT NULL DEFAULT 1",
            "ADD COLUMN charge_id VARCHAR(120)",
            "ADD COLUMN correction_requested_by_id INTEGER REFERENCES users (id)",
            "ADD COLUMN correction_requested_at DATETIME",
            "ADD COLUMN correction_reason TEXT NOT NULL DEFAULT ''",
            "ADD COLUMN corrected_by_id INTEGER REFERENCES users (id)"
            " CONSTRAINT ck_contributions_correction_maker_checker"
            f" CHECK ({checks['ck_contributions_correction_maker_checker']})",
        ):
            if statement.split()[2] not in present:
                op.execute(f"ALTER TABLE contributions {statement}")
    else:
        for table, name, _old, new in CHECKS:
            op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, new)
        big = sa.BigInteger()
        for column in (
            sa.Column("received_original_minor", big, nullable=False, server_default="0"),
            sa.Column("disputed_minor", big, nullable=False, server_default="0"),
            sa.Column("fee_known", sa.Boolean(), nullable=False, server_default=sa.true()),
            sa.Column("charge_id", sa.String(length=120), nullable=True),
            sa.Column("correction_requested_by_id", big, nullable=True),
            sa.Column("correction_requested_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("correction_reason", sa.Text(), nullable=False, server_default=""),
            sa.Column("corrected_by_id", big, nullable=True),
        ):
            op.add_column("contributions", column)
        for column in ("correction_requested_by_id", "corrected_by_id"):
            op.create_foreign_key(
                op.f(f"fk_contributions_{column}_users"), "contributions", "users", [column], ["id"]
            )
        for name, condition in CONTRIBUTION_CHECKS:
            op.create_check_constraint(op.f(name), "contributions", condition)
    op.execute(BACKFILL)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # The columns stay (SQLite cannot drop a column with a CHECK or a foreign key without
        # rebuilding the table). The ledger's rules narrow again without re-checking rows:
        # downgrade only a database that never posted a shortfall or an exchange difference.
        _sqlite_edit_checks([(table, new, old) for table, _name, old, new in CHECKS])
        return
    for name, _condition in reversed(CONTRIBUTION_CHECKS):
        op.drop_constraint(op.f(name), "contributions", type_="check")
    for column in ("corrected_by_id", "correction_requested_by_id"):
        op.drop_constraint(
            op.f(f"fk_contributions_{column}_users"), "contributions", type_="foreignkey"
        )
    for column in (
        "corrected_by_id",
        "correction_reason",
        "correction_requested_at",
        "correction_requested_by_id",
        "charge_id",
        "fee_known",
        "disputed_minor",
        "received_original_minor",
    ):
        op.drop_column("contributions", column)
    for table, name, old, _new in CHECKS:
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, old)
