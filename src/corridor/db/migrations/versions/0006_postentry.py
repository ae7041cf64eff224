"""Post-entry control: audit plans and items, audit cases and the declarations in their
scope, alerts to the posts and their acknowledgements, requests to draft a profile.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 04:19:40.210916
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import corridor.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("all_offices", sa.Boolean(), nullable=False),
        sa.Column(
            "offices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=60), nullable=True),
        sa.Column("approved_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("closed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_plans")),
        sa.UniqueConstraint(
            "unit",
            "period_from",
            "period_to",
            name=op.f("uq_audit_plans_unit_period_from_period_to"),
        ),
    )
    op.create_table(
        "audit_plan_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("risk_score", sa.Float(), nullable=True),
        sa.Column(
            "expected_recovery",
            corridor.db.types.ExactDecimal(precision=24, scale=6),
            nullable=True,
        ),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=60), nullable=False),
        sa.Column("added_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["audit_plans.id"],
            name=op.f("fk_audit_plan_items_plan_id_audit_plans"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_plan_items")),
        sa.UniqueConstraint("plan_id", "tin", name=op.f("uq_audit_plan_items_plan_id_tin")),
    )
    with op.batch_alter_table("audit_plan_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_plan_items_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "audit_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("plan_item_id", sa.Integer(), nullable=True),
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("all_offices", sa.Boolean(), nullable=False),
        sa.Column(
            "offices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("auditor", sa.String(length=60), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
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
        sa.Column("findings_notes", sa.Text(), nullable=False),
        sa.Column(
            "documents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("cancel_note", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=60), nullable=False),
        sa.Column("opened_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("started_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=True),
        sa.Column("closed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["audit_plans.id"],
            name=op.f("fk_audit_cases_plan_id_audit_plans"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_id"],
            ["audit_plan_items.id"],
            name=op.f("fk_audit_cases_plan_item_id_audit_plan_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_cases")),
        sa.UniqueConstraint("plan_item_id", name=op.f("uq_audit_cases_plan_item_id")),
    )
    with op.batch_alter_table("audit_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_cases_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_cases_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_cases_tin"), ["tin"], unique=False)

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("importer", sa.String(length=40), nullable=True),
        sa.Column("hs_prefix", sa.String(length=10), nullable=True),
        sa.Column("origin", sa.String(length=2), nullable=True),
        sa.Column(
            "units",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("all_offices", sa.Boolean(), nullable=False),
        sa.Column(
            "offices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("raised_by", sa.String(length=60), nullable=False),
        sa.Column("raised_unit", sa.String(length=20), nullable=False),
        sa.Column("raised_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=60), nullable=True),
        sa.Column("withdrawn_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["audit_cases.id"],
            name=op.f("fk_alerts_case_id_audit_cases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alerts_status_valid_to"), ["status", "valid_to"], unique=False
        )

    op.create_table(
        "audit_case_declarations",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("linked", sa.String(length=10), nullable=False),
        sa.Column("added_by", sa.String(length=60), nullable=False),
        sa.Column("added_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["audit_cases.id"],
            name=op.f("fk_audit_case_declarations_case_id_audit_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_audit_case_declarations_declaration_id_declarations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "case_id", "declaration_id", name=op.f("pk_audit_case_declarations")
        ),
    )
    with op.batch_alter_table("audit_case_declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_case_declarations_declaration_id"),
            ["declaration_id"],
            unique=False,
        )

    op.create_table(
        "profile_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposed_criteria", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("raised_by", sa.String(length=60), nullable=False),
        sa.Column("raised_unit", sa.String(length=20), nullable=False),
        sa.Column("raised_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("handled_by", sa.String(length=60), nullable=True),
        sa.Column("handled_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("profile_code", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["audit_cases.id"],
            name=op.f("fk_profile_requests_case_id_audit_cases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_requests")),
    )
    with op.batch_alter_table("profile_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_profile_requests_unit_status"), ["unit", "status"], unique=False
        )

    op.create_table(
        "alert_receipts",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=60), nullable=False),
        sa.Column("acknowledged_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_receipts_alert_id_alerts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("alert_id", "unit", name=op.f("pk_alert_receipts")),
    )


def downgrade() -> None:
    op.drop_table("alert_receipts")
    with op.batch_alter_table("profile_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_requests_unit_status"))
        batch_op.drop_index(batch_op.f("ix_profile_requests_case_id"))

    op.drop_table("profile_requests")
    with op.batch_alter_table("audit_case_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_case_declarations_declaration_id"))

    op.drop_table("audit_case_declarations")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_status_valid_to"))
        batch_op.drop_index(batch_op.f("ix_alerts_case_id"))

    op.drop_table("alerts")
    with op.batch_alter_table("audit_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_cases_tin"))
        batch_op.drop_index(batch_op.f("ix_audit_cases_state"))
        batch_op.drop_index(batch_op.f("ix_audit_cases_plan_id"))

    op.drop_table("audit_cases")
    with op.batch_alter_table("audit_plan_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_plan_items_plan_id"))

    op.drop_table("audit_plan_items")
    op.drop_table("audit_plans")
