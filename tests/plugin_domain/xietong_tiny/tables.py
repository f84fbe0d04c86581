"""The tiny domain's one table, on the platform's metadata."""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata

tiny_note = sa.Table(
    "tiny_note",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("text", sa.String(200), nullable=False),
)
