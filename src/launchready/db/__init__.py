"""Read-only plan inspection for PostgreSQL and SQLite: the ``db`` area of the audit and
``launchready db [--analyze]``.

The modules, one job each: :mod:`~launchready.db.url` (what ``database.url`` names, and
how to show it without its password), :mod:`~launchready.db.sqltext` (the lexing that
translates placeholders and refuses anything but a SELECT for ``--analyze``),
:mod:`~launchready.db.plans` (reading EXPLAIN output), :mod:`~launchready.db.indexes` (the
index to suggest), :mod:`~launchready.db.pgsession`, :mod:`~launchready.db.pgcatalog` and
:mod:`~launchready.db.postgres` (PostgreSQL), :mod:`~launchready.db.sqlite` (SQLite),
:mod:`~launchready.db.model` (what was found) and :mod:`~launchready.db.findings` (the
thresholds of checks.md, turning that into findings). Nothing here ever writes to the
database.
"""

from __future__ import annotations

from launchready.db.findings import db_findings, summary
from launchready.db.inspect import hot_queries, inspect_database
from launchready.db.model import Inspection

__all__ = ["Inspection", "db_findings", "hot_queries", "inspect_database", "summary"]
