"""Alembic's entry point, run programmatically by :func:`launchready.monitor.store.migrate`
with the connection to migrate (no alembic.ini: the monitor upgrades its own store)."""

from __future__ import annotations

from alembic import context

from launchready.monitor.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
