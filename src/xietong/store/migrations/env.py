"""Alembic environment for Xietong. Used by ``xietong db upgrade`` (which passes its connection)."""

from __future__ import annotations

from alembic import context

from xietong import domains
from xietong.store.tables import metadata

domains.load_tables()  # every installed domain's tables join the metadata (autogenerate, comparisons)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from xietong.config import Settings
    from xietong.store.session import Store

    connection = Store(Settings.from_env()).engine.connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite needs batch mode for ALTER TABLE
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
