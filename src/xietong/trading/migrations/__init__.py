"""Alembic revisions of the trading domain's branch (branch label ``trading``), after the platform's revision 0004."""
