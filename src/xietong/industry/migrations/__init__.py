"""Alembic revisions of the industry domain's branch (branch label ``industry``), based on the platform's 0004."""
