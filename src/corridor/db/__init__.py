"""Persistence: engine and sessions, unit of work, ORM tables, Alembic migrations."""
