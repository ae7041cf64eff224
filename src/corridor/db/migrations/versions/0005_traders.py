"""The trader register: traders, names, scores and categories, category changes, overrides,
AEO certificates, post-entry findings; random-rate multipliers of office parameters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 04:17:25.436916
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import corridor.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trader_aeo_certificates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("certificate", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=80), nullable=True),
        sa.Column("ended_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trader_aeo_certificates")),
        sa.UniqueConstraint("certificate", name=op.f("uq_trader_aeo_certificates_certificate")),
    )
    with op.batch_alter_table("trader_aeo_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trader_aeo_certificates_tin"), ["tin"], unique=False)

    op.create_table(
        "trader_category_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("from_category", sa.String(length=6), nullable=True),
        sa.Column("to_category", sa.String(length=6), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trader_category_changes")),
    )
    with op.batch_alter_table("trader_category_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trader_category_changes_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trader_category_changes_tin_at"), ["tin", "at"], unique=False
        )

    op.create_table(
        "trader_findings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("case_ref", sa.String(length=60), nullable=False),
        sa.Column(
            "discrepancy_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "additional_duties",
            corridor.db.types.ExactDecimal(precision=24, scale=6),
            nullable=False,
        ),
        sa.Column(
            "penalties", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column("found_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trader_findings")),
        sa.UniqueConstraint("tin", "case_ref", name=op.f("uq_trader_findings_tin_case_ref")),
    )
    op.create_table(
        "trader_names",
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("declarations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tin", "name", name=op.f("pk_trader_names")),
    )
    op.create_table(
        "trader_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=6), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lifted_by", sa.String(length=80), nullable=True),
        sa.Column("lifted_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trader_overrides")),
    )
    with op.batch_alter_table("trader_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trader_overrides_tin"), ["tin"], unique=False)

    op.create_table(
        "trader_scores",
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=6), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("declarations", sa.Integer(), nullable=False),
        sa.Column("age_days", sa.Integer(), nullable=True),
        sa.Column("controls", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("population_rate", sa.Float(), nullable=True),
        sa.Column("prior_strength", sa.Float(), nullable=False),
        sa.Column("shrunk_rate", sa.Float(), nullable=True),
        sa.Column("rate_points", sa.Float(), nullable=False),
        sa.Column("serious", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("amount_found", sa.Float(), nullable=False),
        sa.Column("declared_value", sa.Float(), nullable=False),
        sa.Column("amount_share", sa.Float(), nullable=False),
        sa.Column("amount_points", sa.Float(), nullable=False),
        sa.Column("offences", sa.Integer(), nullable=False),
        sa.Column("offence_points", sa.Float(), nullable=False),
        sa.Column("held_back", sa.String(length=100), nullable=False),
        sa.Column("computed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tin", name=op.f("pk_trader_scores")),
    )
    with op.batch_alter_table("trader_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trader_scores_category_score"), ["category", "score"], unique=False
        )

    op.create_table(
        "trader_scoring_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("population_rate", sa.Float(), nullable=True),
        sa.Column("traders", sa.Integer(), nullable=False),
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("medium", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trader_scoring_runs")),
    )
    op.create_table(
        "traders",
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column(
            "roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("declarations", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("refreshed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tin", name=op.f("pk_traders")),
    )
    with op.batch_alter_table("office_parameters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "low_risk_multiplier",
                corridor.db.types.ExactDecimal(precision=24, scale=6),
                server_default="1",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "aeo_multiplier",
                corridor.db.types.ExactDecimal(precision=24, scale=6),
                server_default="1",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("office_parameters", schema=None) as batch_op:
        batch_op.drop_column("aeo_multiplier")
        batch_op.drop_column("low_risk_multiplier")

    op.drop_table("traders")
    op.drop_table("trader_scoring_runs")
    with op.batch_alter_table("trader_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trader_scores_category_score"))

    op.drop_table("trader_scores")
    with op.batch_alter_table("trader_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trader_overrides_tin"))

    op.drop_table("trader_overrides")
    op.drop_table("trader_names")
    op.drop_table("trader_findings")
    with op.batch_alter_table("trader_category_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trader_category_changes_tin_at"))
        batch_op.drop_index(batch_op.f("ix_trader_category_changes_at"))

    op.drop_table("trader_category_changes")
    with op.batch_alter_table("trader_aeo_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trader_aeo_certificates_tin"))

    op.drop_table("trader_aeo_certificates")
