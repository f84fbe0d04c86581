"""The platform store: SQLAlchemy 2 Core tables, Alembic migrations, SQLite or PostgreSQL."""

from __future__ import annotations

from xietong.store.session import Store

__all__ = ["Store"]
