"""The public-services domain's Alembic branch (label ``services``)."""
