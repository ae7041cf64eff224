"""Trader history: an importer's goods items priced against the reference prices and
those declared under half the price (the ``importer_underpriced_share`` fact).

Null until the next history refresh (``corridor traders refresh``), so the fact is
missing until then, as the other history facts are before a first refresh.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trader_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priced_items", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("underpriced_items", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trader_history", schema=None) as batch_op:
        batch_op.drop_column("underpriced_items")
        batch_op.drop_column("priced_items")
