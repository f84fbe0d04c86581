"""Alembic revisions of the air domain's branch (branch label ``air``), after the platform's baseline 0001–0004."""
