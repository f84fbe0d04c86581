"""Alembic revisions of the water domain's branch (branch label ``water``), after the platform's baseline 0001–0004."""
