"""idempotency keys of writes

One row per (principal, key), inserted in the transaction of the write it names (so it exists exactly when
that write committed), with the response kept for retries to replay. Generated with alembic autogenerate
from tables.py and reviewed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False, comment="method, path, query and body"),
        sa.Column("action", sa.String(length=80), nullable=False, comment="the audited action of the write"),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_type", sa.String(length=120), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["principal.id"], name=op.f("fk_idempotency_key_principal_id_principal")
        ),
        sa.PrimaryKeyConstraint("principal_id", "key", name=op.f("pk_idempotency_key")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_key")
