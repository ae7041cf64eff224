"""declarations

Revision ID: 0001
Revises:
Create Date: 2026-11-26 22:09:03.421264
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import corridor.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "declarations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=2), nullable=False),
        sa.Column("procedure", sa.String(length=2), nullable=False),
        sa.Column("office", sa.String(length=17), nullable=False),
        sa.Column("registered_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("declarant", sa.String(length=40), nullable=False),
        sa.Column("importer", sa.String(length=40), nullable=True),
        sa.Column("exporter", sa.String(length=40), nullable=True),
        sa.Column("exporter_country", sa.String(length=2), nullable=True),
        sa.Column("dispatch_country", sa.String(length=2), nullable=True),
        sa.Column("destination_country", sa.String(length=2), nullable=True),
        sa.Column("transport_mode", sa.SmallInteger(), nullable=False),
        sa.Column("vehicle_id", sa.String(length=40), nullable=True),
        sa.Column(
            "containers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("incoterms", sa.String(length=3), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "documents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("item_count", sa.SmallInteger(), nullable=False),
        sa.Column(
            "total_customs_value",
            corridor.db.types.ExactDecimal(precision=24, scale=6),
            nullable=True,
        ),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("received_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint("number", "version", name=op.f("uq_declarations_number_version")),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declarations_importer"), ["importer"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_declarations_office_registered_at"),
            ["office", "registered_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_declarations_registered_at"), ["registered_at"], unique=False
        )

    op.create_table(
        "exchange_rates",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "kgs_per_unit", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency", name=op.f("pk_exchange_rates")),
    )
    op.create_table(
        "import_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("started_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("declarations_created", sa.Integer(), nullable=False),
        sa.Column("declarations_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("report_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_table(
        "declaration_ground_truth",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("fraud", sa.Boolean(), nullable=False),
        sa.Column("critical_fraud", sa.SmallInteger(), nullable=True),
        sa.Column("pattern", sa.String(length=40), nullable=True),
        sa.Column("item_no", sa.SmallInteger(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_ground_truth_declaration_id_declarations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_ground_truth")),
    )
    with op.batch_alter_table("declaration_ground_truth", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_ground_truth_declaration_id"),
            ["declaration_id"],
            unique=False,
        )

    op.create_table(
        "declaration_items",
        sa.Column(
            "declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("item_no", sa.SmallInteger(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=2), nullable=False),
        sa.Column("preference", sa.String(length=20), nullable=True),
        sa.Column(
            "net_mass_kg", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=True
        ),
        sa.Column(
            "gross_mass_kg", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=True
        ),
        sa.Column(
            "supplementary_qty",
            corridor.db.types.ExactDecimal(precision=24, scale=6),
            nullable=True,
        ),
        sa.Column("supplementary_unit", sa.String(length=20), nullable=True),
        sa.Column(
            "invoice_value", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column(
            "customs_value", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=True
        ),
        sa.Column(
            "duty_rate", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=True
        ),
        sa.Column("duties", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_items_declaration_id_declarations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("declaration_id", "item_no", name=op.f("pk_declaration_items")),
    )
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declaration_items_hs_code"), ["hs_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_items_hs_code"))

    op.drop_table("declaration_items")
    with op.batch_alter_table("declaration_ground_truth", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_ground_truth_declaration_id"))

    op.drop_table("declaration_ground_truth")
    op.drop_table("import_runs")
    op.drop_table("exchange_rates")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declarations_registered_at"))
        batch_op.drop_index(batch_op.f("ix_declarations_office_registered_at"))
        batch_op.drop_index(batch_op.f("ix_declarations_importer"))

    op.drop_table("declarations")
