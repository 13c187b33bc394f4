"""The metadata store: ORM, one query module per aggregate, Alembic migrations."""
