"""Inspection acts, decision hits as rows, reference prices and trader history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 01:18:30.933952
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import corridor.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_price_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=3), nullable=False),
        sa.Column("basis", sa.String(length=4), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("median", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("low", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("high", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_price_overrides")),
        sa.UniqueConstraint(
            "hs_code",
            "origin",
            "basis",
            "unit",
            name=op.f("uq_reference_price_overrides_hs_code_origin_basis_unit"),
        ),
    )
    op.create_table(
        "reference_price_refreshes",
        sa.Column("price_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("computed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=60), nullable=False),
        sa.Column("history_from", sa.Date(), nullable=True),
        sa.Column("history_to", sa.Date(), nullable=True),
        sa.Column("items_used", sa.Integer(), nullable=False),
        sa.Column("items_excluded", sa.Integer(), nullable=False),
        sa.Column("prices", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("price_version", name=op.f("pk_reference_price_refreshes")),
    )
    op.create_table(
        "reference_prices",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("price_version", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=3), nullable=False),
        sa.Column("basis", sa.String(length=4), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("median", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("q1", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("q3", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("low", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("high", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_prices")),
        sa.UniqueConstraint(
            "price_version",
            "hs_code",
            "origin",
            "basis",
            "unit",
            name=op.f("uq_reference_prices_price_version_hs_code_origin_basis_unit"),
        ),
    )
    with op.batch_alter_table("reference_prices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reference_prices_hs_code_price_version"),
            ["hs_code", "price_version"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_reference_prices_price_version"), ["price_version"], unique=False
        )

    op.create_table(
        "trader_history",
        sa.Column("tin", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("declarations", sa.Integer(), nullable=False),
        sa.Column("inspections", sa.Integer(), nullable=False),
        sa.Column("discrepancies", sa.Integer(), nullable=False),
        sa.Column(
            "additional_duties",
            corridor.db.types.ExactDecimal(precision=24, scale=6),
            nullable=False,
        ),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("last_inspection", sa.Date(), nullable=True),
        sa.Column("last_discrepancy", sa.Date(), nullable=True),
        sa.Column("refreshed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tin", "role", name=op.f("pk_trader_history")),
    )
    op.create_table(
        "inspection_acts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("act_version", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("office", sa.String(length=17), nullable=False),
        sa.Column("selection_basis", sa.String(length=20), nullable=False),
        sa.Column(
            "measures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=20), nullable=False),
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
        sa.Column("seizure", sa.Boolean(), nullable=False),
        sa.Column("offence_case", sa.String(length=60), nullable=True),
        sa.Column("minutes_spent", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("inspector", sa.String(length=60), nullable=False),
        sa.Column("inspected_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=60), nullable=False),
        sa.Column("recorded_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_inspection_acts_declaration_id_declarations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_acts")),
        sa.UniqueConstraint(
            "declaration_id",
            "act_version",
            name=op.f("uq_inspection_acts_declaration_id_act_version"),
        ),
    )
    with op.batch_alter_table("inspection_acts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_acts_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_acts_inspected_at"), ["inspected_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_acts_office_inspected_at"),
            ["office", "inspected_at"],
            unique=False,
        )

    op.create_table(
        "decision_hits",
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("profile_code", sa.String(length=40), nullable=False),
        sa.Column("profile_version", sa.Integer(), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("exempt", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_hits_decision_id_decisions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "decision_id", "profile_code", "profile_version", name=op.f("pk_decision_hits")
        ),
    )
    with op.batch_alter_table("decision_hits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_hits_profile_code_profile_version"),
            ["profile_code", "profile_version"],
            unique=False,
        )

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_version", sa.Integer(), nullable=True))

    _backfill_decision_hits()


def _backfill_decision_hits() -> None:
    """Decisions made before this revision: their hits (in the JSON detail) as rows."""
    connection = op.get_bind()
    decisions = sa.table("decisions", sa.column("id"), sa.column("detail", sa.JSON()))
    hits = sa.table(
        "decision_hits",
        sa.column("decision_id"),
        sa.column("profile_code"),
        sa.column("profile_version"),
        sa.column("selected"),
        sa.column("exempt"),
    )
    last = 0
    while True:
        batch = connection.execute(
            sa.select(decisions.c.id, decisions.c.detail)
            .where(decisions.c.id > last)
            .order_by(decisions.c.id)
            .limit(5000)
        ).all()
        if not batch:
            return
        rows = {}
        for decision_id, detail in batch:
            if isinstance(detail, str):  # SQLite hands JSON back as text here
                detail = json.loads(detail)
            for hit in (detail or {}).get("hits", []):
                rows[(decision_id, hit["code"], hit["version"])] = {
                    "decision_id": decision_id,
                    "profile_code": hit["code"],
                    "profile_version": hit["version"],
                    "selected": bool(hit.get("selected")),
                    "exempt": bool(hit.get("exempt")),
                }
        if rows:
            connection.execute(hits.insert(), list(rows.values()))
        last = batch[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("price_version")

    with op.batch_alter_table("decision_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_hits_profile_code_profile_version"))

    op.drop_table("decision_hits")
    with op.batch_alter_table("inspection_acts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_acts_office_inspected_at"))
        batch_op.drop_index(batch_op.f("ix_inspection_acts_inspected_at"))
        batch_op.drop_index(batch_op.f("ix_inspection_acts_declaration_id"))

    op.drop_table("inspection_acts")
    op.drop_table("trader_history")
    with op.batch_alter_table("reference_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reference_prices_price_version"))
        batch_op.drop_index(batch_op.f("ix_reference_prices_hs_code_price_version"))

    op.drop_table("reference_prices")
    op.drop_table("reference_price_refreshes")
    op.drop_table("reference_price_overrides")
