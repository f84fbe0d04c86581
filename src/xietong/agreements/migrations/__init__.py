"""Alembic revisions of the agreements domain's branch (branch label ``agreements``), after the platform's baseline 0001–0004."""
