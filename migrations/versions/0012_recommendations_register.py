"""the recommendations register (DESIGN §8.1): each State's recommendations with their
themes, SDG targets and recommending States, the dated history of their status; the 169 SDG
targets, the special procedure mandates as bodies of their own, and the two optional
protocols of the CRC as mechanisms

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 00:51:20

"""

import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from app.core.append_only import trigger_statements

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DATA = Path(__file__).resolve().parents[2] / "app" / "reference" / "data"


def _rows(name):
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _load_reference():
    # 0002 loads mechanisms.csv as it is today, so a new database already has the optional
    # protocols' committees; a database made before them gets what it lacks.
    present = {row[0] for row in op.get_bind().execute(sa.text("SELECT code FROM mechanisms"))}
    mechanisms = sa.table("mechanisms", sa.column("code"), sa.column("kind"), sa.column("name"))
    missing = [r for r in _rows("mechanisms.csv") if r["code"] not in present]
    if missing:
        op.bulk_insert(mechanisms, missing)
    targets = sa.table(
        "sdg_targets", sa.column("target"), sa.column("goal", sa.Integer), sa.column("name")
    )
    op.bulk_insert(
        targets,
        [
            {"target": r["target"], "goal": int(r["goal"]), "name": r["en"]}
            for r in _rows("names/sdg_targets.csv")
        ],
    )
    mandates = sa.table(
        "special_procedures",
        sa.column("code"),
        sa.column("kind"),
        sa.column("name"),
        sa.column("uhri_prefix"),
    )
    op.bulk_insert(
        mandates,
        [
            {"code": r["code"], "kind": r["kind"], "name": r["en"], "uhri_prefix": r["uhri_prefix"]}
            for r in _rows("names/special_procedures.csv")
        ],
    )


def upgrade():
    op.create_table(
        "special_procedures",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("uhri_prefix", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_special_procedures")),
    )
    op.create_table(
        "sdg_targets",
        sa.Column("target", sa.String(length=6), nullable=False),
        sa.Column("goal", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["goal"], ["sdgs.number"], name=op.f("fk_sdg_targets_goal_sdgs")),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_sdg_targets")),
    )
    with op.batch_alter_table("sdg_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sdg_targets_goal"), ["goal"], unique=False)

    op.create_table(
        "recommendations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state_iso3", sa.String(length=3), nullable=False),
        sa.Column("annotation_id", sa.String(length=64), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "uhri",
                "manual",
                name="recommendation_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "recommendation",
                "concern_observation",
                name="recommendation_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("mechanism_code", sa.String(length=10), nullable=False),
        sa.Column("mandate_code", sa.String(length=40), nullable=True),
        sa.Column("symbol", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "upr_session", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "upr_position",
            sa.Enum(
                "supported",
                "noted",
                name="upr_position",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "partially_implemented",
                "implemented",
                name="implementation_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(upr_position IS NULL AND upr_session IS NULL) OR mechanism_code = 'UPR'",
            name=op.f("ck_recommendations_upr_fields_only_upr"),
        ),
        sa.CheckConstraint(
            "mandate_code IS NULL OR mechanism_code = 'SP'",
            name=op.f("ck_recommendations_mandate_is_special_procedure"),
        ),
        sa.CheckConstraint(
            "source <> 'uhri' OR annotation_id IS NOT NULL",
            name=op.f("ck_recommendations_uhri_has_annotation"),
        ),
        sa.CheckConstraint(
            "upr_session IS NULL OR upr_session BETWEEN 1 AND 999",
            name=op.f("ck_recommendations_upr_session_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_recommendations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["mandate_code"],
            ["special_procedures.code"],
            name=op.f("fk_recommendations_mandate_code_special_procedures"),
        ),
        sa.ForeignKeyConstraint(
            ["mechanism_code"],
            ["mechanisms.code"],
            name=op.f("fk_recommendations_mechanism_code_mechanisms"),
        ),
        sa.ForeignKeyConstraint(
            ["state_iso3"], ["states.iso3"], name=op.f("fk_recommendations_state_iso3_states")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint(
            "state_iso3", "annotation_id", name=op.f("uq_recommendations_state_iso3_annotation_id")
        ),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendations_state_mechanism", ["state_iso3", "mechanism_code"], unique=False
        )
        batch_op.create_index(
            "ix_recommendations_state_published", ["state_iso3", "published_on", "id"], unique=False
        )
        batch_op.create_index(
            "ix_recommendations_state_status", ["state_iso3", "status"], unique=False
        )

    op.create_table(
        "recommendation_recommending_states",
        sa.Column(
            "recommendation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("state_iso3", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_recommending_states_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["state_iso3"],
            ["states.iso3"],
            name=op.f("fk_recommendation_recommending_states_state_iso3_states"),
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "state_iso3", name=op.f("pk_recommendation_recommending_states")
        ),
    )
    op.create_table(
        "recommendation_sdg_targets",
        sa.Column(
            "recommendation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("target", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_sdg_targets_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target"],
            ["sdg_targets.target"],
            name=op.f("fk_recommendation_sdg_targets_target_sdg_targets"),
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "target", name=op.f("pk_recommendation_sdg_targets")
        ),
    )
    with op.batch_alter_table("recommendation_sdg_targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_sdg_targets_target", ["target", "recommendation_id"], unique=False
        )

    op.create_table(
        "recommendation_themes",
        sa.Column(
            "recommendation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("theme_code", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_themes_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_code"], ["themes.code"], name=op.f("fk_recommendation_themes_theme_code_themes")
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "theme_code", name=op.f("pk_recommendation_themes")
        ),
    )
    with op.batch_alter_table("recommendation_themes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_themes_theme", ["theme_code", "recommendation_id"], unique=False
        )

    op.create_table(
        "recommendation_status_updates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "recommendation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "partially_implemented",
                "implemented",
                name="implementation_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "origin",
            sa.Enum(
                "report",
                "voluntary",
                name="status_origin",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin <> 'report' OR report_id IS NOT NULL",
            name=op.f("ck_recommendation_status_updates_report_named"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_recommendation_status_updates_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_status_updates_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_recommendation_status_updates_report_id_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_status_updates")),
    )
    with op.batch_alter_table("recommendation_status_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_status_updates_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_recommendation_status_updates_report_id"), ["report_id"], unique=False
        )

    for statement in trigger_statements(
        op.get_bind().dialect.name, "recommendation_status_updates"
    ):
        op.execute(statement)
    _load_reference()


def downgrade():
    # The optional protocols' mechanisms stay: requests may name them by now.
    with op.batch_alter_table("recommendation_status_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_status_updates_report_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_status_updates_recommendation_id"))

    op.drop_table("recommendation_status_updates")
    with op.batch_alter_table("recommendation_themes", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_themes_theme")

    op.drop_table("recommendation_themes")
    with op.batch_alter_table("recommendation_sdg_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_sdg_targets_target")

    op.drop_table("recommendation_sdg_targets")
    op.drop_table("recommendation_recommending_states")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_state_status")
        batch_op.drop_index("ix_recommendations_state_published")
        batch_op.drop_index("ix_recommendations_state_mechanism")

    op.drop_table("recommendations")
    with op.batch_alter_table("sdg_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sdg_targets_goal"))

    op.drop_table("sdg_targets")
    op.drop_table("special_procedures")
