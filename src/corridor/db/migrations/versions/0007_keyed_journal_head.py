"""The keyed journal: the head records where the unkeyed entries end, and its signature.

Entries written before this revision were hashed with plain SHA-256; they cannot be
re-hashed here, because the journal key is not (and must not be) known to the
database. The head's ``unkeyed_until`` is set to the last of them, so that the
verifier checks those with plain SHA-256 and every later entry with HMAC-SHA256
under the key; the head is signed by the first entry appended after the upgrade.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:31:22.708414
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("journal_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "unkeyed_until",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                server_default="0",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("signature", sa.String(length=64), nullable=True))
    # Whatever the journal holds now was written unkeyed (0 on a fresh installation).
    op.execute("UPDATE journal_head SET unkeyed_until = seq")


def downgrade() -> None:
    # Entries written keyed stay keyed: the previous verifier reports them as altered.
    with op.batch_alter_table("journal_head", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("unkeyed_until")
