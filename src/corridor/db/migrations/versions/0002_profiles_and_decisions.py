"""profiles and decisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 22:51:19.160858
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import corridor.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measures",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("updated_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_measures")),
    )
    op.create_table(
        "office_parameters",
        sa.Column("office", sa.String(length=17), nullable=False),
        sa.Column("flow", sa.String(length=2), nullable=False),
        sa.Column(
            "random_red", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column(
            "random_yellow", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column(
            "random_blue", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column(
            "expected_floor", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=True
        ),
        sa.Column("updated_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("office", "flow", name=op.f("pk_office_parameters")),
    )
    op.create_table(
        "profile_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("risk_area", sa.String(length=30), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column(
            "criteria_json",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "measures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "selection_rate", corridor.db.types.ExactDecimal(precision=24, scale=6), nullable=False
        ),
        sa.Column(
            "offices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "flows",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "procedures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("exempt_low_risk", sa.Boolean(), nullable=False),
        sa.Column("exempt_aeo", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("officer_instructions", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("expected_per_month", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=True),
        sa.Column("submitted_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("approved_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("activated_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", corridor.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_profile_versions_code_version")),
    )
    with op.batch_alter_table("profile_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_versions_status"), ["status"], unique=False)

    op.create_table(
        "reference_lists",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "key_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "prefix_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_reference_lists")),
    )
    op.create_table(
        "selectivity_state",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selectivity_state")),
    )
    op.create_table(
        "decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.Column("engine_version", sa.String(length=20), nullable=False),
        sa.Column("profile_set_version", sa.String(length=64), nullable=False),
        sa.Column("assessed_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("selected_by_profile", sa.Boolean(), nullable=False),
        sa.Column("selected_at_random", sa.Boolean(), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_decisions_declaration_id_declarations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("declaration_id", name=op.f("uq_decisions_declaration_id")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_channel"), ["channel"], unique=False)

    op.create_table(
        "profile_transitions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "profile_version_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_version_id"],
            ["profile_versions.id"],
            name=op.f("fk_profile_transitions_profile_version_id_profile_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_transitions")),
    )
    with op.batch_alter_table("profile_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_transitions_profile_version_id"),
            ["profile_version_id"],
            unique=False,
        )

    op.create_table(
        "reference_list_versions",
        sa.Column("list_name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "entries",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_name"],
            ["reference_lists.name"],
            name=op.f("fk_reference_list_versions_list_name_reference_lists"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("list_name", "version", name=op.f("pk_reference_list_versions")),
    )
    op.create_table(
        "reroutes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_channel", sa.String(length=6), nullable=False),
        sa.Column("to_channel", sa.String(length=6), nullable=False),
        sa.Column("reason_code", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=80), nullable=False),
        sa.Column("at", corridor.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_reroutes_decision_id_decisions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reroutes")),
    )
    with op.batch_alter_table("reroutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reroutes_decision_id"), ["decision_id"], unique=False)

    _seed()


# The catalogue in the style of the EAEU classification of forms of customs control;
# an administration edits it afterwards (it is data, not code).
SEED_MEASURES = [
    ("101", "check of documents and information", "yellow"),
    ("102", "oral questioning", "none"),
    ("103", "request for explanations / additional documents", "yellow"),
    ("104", "customs surveillance", "none"),
    ("105", "external inspection of goods / non-intrusive scan (X-ray)", "red"),
    ("109", "physical examination of goods", "red"),
    ("112", "check of marking (excise stamps, labels)", "red"),
    ("601", "valuation check: request for additional documents on value", "yellow"),
    ("615", "taking samples for laboratory expertise", "red"),
    ("801", "post-clearance desk audit", "blue"),
    ("802", "post-clearance field audit", "blue"),
]


def _seed() -> None:
    now = datetime.now(UTC)
    measures = sa.table(
        "measures",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("channel", sa.String),
        sa.column("description", sa.Text),
        sa.column("updated_at", corridor.db.types.UtcDateTime()),
        sa.column("updated_by", sa.String),
    )
    op.bulk_insert(
        measures,
        [
            {
                "code": code,
                "name": name,
                "channel": channel,
                "description": "",
                "updated_at": now,
                "updated_by": "system",
            }
            for code, name, channel in SEED_MEASURES
        ],
    )
    state = sa.table(
        "selectivity_state",
        sa.column("id", sa.SmallInteger),
        sa.column("generation", sa.Integer),
        sa.column("changed_at", corridor.db.types.UtcDateTime()),
    )
    op.bulk_insert(state, [{"id": 1, "generation": 0, "changed_at": now}])


def downgrade() -> None:
    with op.batch_alter_table("reroutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reroutes_decision_id"))

    op.drop_table("reroutes")
    op.drop_table("reference_list_versions")
    with op.batch_alter_table("profile_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_transitions_profile_version_id"))

    op.drop_table("profile_transitions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_channel"))

    op.drop_table("decisions")
    op.drop_table("selectivity_state")
    op.drop_table("reference_lists")
    with op.batch_alter_table("profile_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_versions_status"))

    op.drop_table("profile_versions")
    op.drop_table("office_parameters")
    op.drop_table("measures")
