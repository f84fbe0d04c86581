"""tiny: the note table (the tiny domain's branch, after the platform's baseline)

Revision ID: tiny_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tiny_0001"
down_revision = None
branch_labels = ("tiny",)
depends_on = "0004"


def upgrade() -> None:
    op.create_table(
        "tiny_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiny_note")),
    )


def downgrade() -> None:
    op.drop_table("tiny_note")
