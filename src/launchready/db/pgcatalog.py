"""What PostgreSQL's catalogs say: table sizes, columns, foreign keys, extensions and
pg_stat_statements. Every read here is a plain SELECT on catalog views any role may read
(pg_stat_statements shows other roles' statement text only to pg_read_all_stats)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from launchready.db.indexes import create_index, qualified, quote_ident
from launchready.db.model import ForeignKeyGap, Statement, StatsGap
from launchready.db.pgsession import MARK, PgSession
from launchready.db.plans import root_plan

HIDDEN_TEXT = "<insufficient privilege>"
_USER_SCHEMAS = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
)
_PRELOAD_FIX = (
    "The pg_stat_statements library is already loaded on this server: run "
    "CREATE EXTENSION pg_stat_statements; in this database (as its owner or a superuser)."
)
_GRANT_FIX = (
    "Let the role in database.url read the statistics: GRANT pg_read_all_stats TO {role}; "
    "(it grants reading, nothing else)."
)


@dataclass
class Catalog:
    """What one session learned about its database; relation facts are cached."""

    role: str
    version: str
    extensions: dict[str, str]
    """Installed extension -> the schema holding its objects."""
    _rows: dict[tuple[str, str], int] = field(default_factory=dict)
    _columns: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @classmethod
    async def read(cls, session: PgSession) -> Catalog:
        """The first reads of a session; a failure here means the role cannot read the
        catalog at all (db.unreachable)."""
        (role, version), *_ = await session.fetch(
            "SELECT current_user, current_setting('server_version')"
        )
        extensions = await session.fetch(
            "SELECT e.extname, n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname IN ('pg_stat_statements', 'hypopg')"
        )
        return cls(
            role=str(role),
            version=f"PostgreSQL {version}",
            extensions={str(name): str(schema) for name, schema in extensions},
        )

    async def rows(self, session: PgSession, schema: str, relation: str) -> int:
        """The relation's row count as the planner knows it: ``reltuples`` from the last
        ANALYZE or autovacuum, else (never analysed: -1) the planner's own estimate from
        the table's size, which is what it plans with anyway."""
        key = (schema, relation)
        if key not in self._rows:
            found = await session.fetch(
                "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s",
                [schema, relation],
            )
            known = float(found[0][0]) if found else -1.0
            if known >= 0:
                self._rows[key] = int(known)
            else:
                async with session.scratch():
                    answer = await session.fetch(
                        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {qualified(schema, relation)}"
                    )
                self._rows[key] = int(root_plan(answer[0][0])["Plan"].get("Plan Rows", 0))
        return self._rows[key]

    async def columns(self, session: PgSession, schema: str, relation: str) -> list[str]:
        key = (schema, relation)
        if key not in self._columns:
            found = await session.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                [qualified(schema, relation)],
            )
            self._columns[key] = [str(name) for (name,) in found]
        return self._columns[key]


async def foreign_key_gaps(
    session: PgSession, catalog: Catalog, large_rows: int
) -> list[ForeignKeyGap]:
    """Foreign keys of big tables with no valid, non-partial index whose leading columns
    are exactly the key's columns (in any order)."""
    found = await session.fetch(
        "SELECT n.nspname, t.relname, c.conname, "
        "ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) "
        "      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "      ORDER BY k.ord)::text[], "
        "c.confrelid::regclass::text "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        f"WHERE c.contype = 'f' AND {_USER_SCHEMAS} AND NOT EXISTS ("
        "  SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indisvalid "
        "  AND i.indpred IS NULL AND (string_to_array(i.indkey::text, ' ')::int2[])"
        "      [1:cardinality(c.conkey)] @> c.conkey "
        "  AND (string_to_array(i.indkey::text, ' ')::int2[])"
        "      [1:cardinality(c.conkey)] <@ c.conkey) "
        "ORDER BY n.nspname, t.relname, c.conname"
    )
    gaps: list[ForeignKeyGap] = []
    for schema, relation, constraint, columns, references in found:
        rows = await catalog.rows(session, schema, relation)
        if rows < large_rows:
            continue
        gaps.append(
            ForeignKeyGap(
                relation=qualified(schema, relation),
                constraint=str(constraint),
                columns=tuple(columns),
                references=str(references),
                rows=rows,
                statement=create_index(schema, relation, columns, postgres=True),
            )
        )
    return gaps


async def read_statements(
    session: PgSession, catalog: Catalog
) -> tuple[list[Statement], StatsGap | None]:
    """This database's top-level pg_stat_statements entries, heaviest first, without the
    statements this session sent; or why they cannot be read."""
    schema = catalog.extensions.get("pg_stat_statements")
    if schema is None:
        return [], StatsGap(
            "the pg_stat_statements extension is not installed in this database",
            _PRELOAD_FIX if await _preloaded(session) else None,
        )
    view = f"{quote_ident(schema)}.pg_stat_statements"
    try:
        async with session.scratch():
            names = {
                str(name)
                for (name,) in await session.fetch(
                    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                    "AND attnum > 0",
                    [view],
                )
            }
            total = "total_exec_time" if "total_exec_time" in names else "total_time"
            mean = "mean_exec_time" if "mean_exec_time" in names else "mean_time"
            toplevel = "AND s.toplevel " if "toplevel" in names else ""
            found = await session.fetch(
                f"SELECT s.query, s.calls, s.{total}, s.{mean} FROM {view} s "
                "WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                f"{toplevel}AND s.query NOT LIKE %s ORDER BY s.{total} DESC",
                [MARK.strip() + "%"],
            )
    except psycopg.errors.InsufficientPrivilege:
        return [], StatsGap(
            "this role may not read pg_stat_statements",
            _GRANT_FIX.format(role=quote_ident(catalog.role)),
        )
    except psycopg.errors.ObjectNotInPrerequisiteState:
        return [], StatsGap(
            "the extension is installed but its library is not in shared_preload_libraries"
        )
    return [_statement(row) for row in found], None


def _statement(row: tuple[Any, ...]) -> Statement:
    text, calls, total, mean = row
    return Statement(
        text=str(text),
        calls=int(calls),
        total_ms=float(total),
        mean_ms=float(mean),
        visible=text != HIDDEN_TEXT,
    )


async def _preloaded(session: PgSession) -> bool:
    """Whether the server already loads the library (then only CREATE EXTENSION is
    missing). The setting is hidden from most roles; unknown counts as not loaded."""
    try:
        async with session.scratch():
            found = await session.fetch("SELECT current_setting('shared_preload_libraries')")
    except psycopg.errors.InsufficientPrivilege:
        return False
    return "pg_stat_statements" in str(found[0][0])
