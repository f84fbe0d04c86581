"""The tiny domain's Alembic branch."""
