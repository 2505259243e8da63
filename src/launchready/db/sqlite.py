"""SQLite: the same inspection on a database file, opened so that it cannot be written.

The file is opened through a ``mode=ro`` URI (SQLite itself refuses every write) with
``PRAGMA query_only`` on top, and every statement runs under a deadline enforced by a
progress handler, SQLite's equivalent of a statement timeout. SQLite keeps no statement
statistics, so there is no db.slow-query without ``--analyze`` and no db.stats-unavailable.

An index is only suggested when SQLite's planner would use it: the schema (and
``sqlite_stat1``, when the file has one) is copied into a private in-memory database, the
index is created there, and the query planned again. Nothing touches the user's file.

Everything here blocks: call :func:`inspect_sqlite` through ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from launchready.db.indexes import choose_columns, create_index, index_name, quote_ident
from launchready.db.model import (
    ForeignKeyGap,
    HotQuery,
    IndexAdvice,
    Inspection,
    SeqScan,
    Timing,
    Unreachable,
)
from launchready.db.plans import SqliteScan, sqlite_scans
from launchready.db.readonly import select_problem
from launchready.db.sqltext import ColumnRef, predicate_columns, table_aliases, to_sqlite
from launchready.db.url import DatabaseUrl, sqlite_uri
from launchready.errors import CheckConfigError, CheckTimeout, InputError

PROGRESS_STEPS = 10_000
"""SQLite virtual-machine steps between two looks at the clock (well under a millisecond)."""
IN_MEMORY_CHECK = "a copy of the schema in memory"
_HYPOTHETICAL = "launchready_hypothetical_idx"


class _Db:
    """A read-only connection whose every statement is bounded by ``timeout``."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.conn = sqlite3.connect(
            sqlite_uri(path), uri=True, timeout=timeout, isolation_level=None
        )
        self.timeout = timeout
        self._until = 0.0
        self.conn.set_progress_handler(self._expired, PROGRESS_STEPS)
        self._rows: dict[str, int] = {}
        self._columns: dict[str, list[str]] = {}

    def _expired(self) -> int:
        return 1 if time.monotonic() > self._until else 0

    def arm(self) -> None:
        """Start the clock for the next statement."""
        self._until = time.monotonic() + self.timeout

    def rows_of(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.arm()
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise CheckTimeout(f"SQLite did not finish within {self.timeout:g}s") from None
            raise

    def count(self, table: str) -> int:
        if table not in self._rows:
            self._rows[table] = int(
                self.rows_of(f"SELECT count(*) FROM {quote_ident(table)}")[0][0]
            )
        return self._rows[table]

    def columns(self, table: str) -> list[str]:
        if table not in self._columns:
            info = self.rows_of(f"PRAGMA table_info({quote_ident(table)})")
            self._columns[table] = [str(row[1]) for row in info]
        return self._columns[table]


def inspect_sqlite(
    url: DatabaseUrl,
    queries: Sequence[HotQuery],
    *,
    large_rows: int,
    timeout: float,
    analyze: bool,
) -> Inspection:
    """Everything the db area reports about one SQLite file."""
    result = Inspection(url.display, engine=f"SQLite {sqlite3.sqlite_version}")
    path = url.path
    if path is None or not path.is_file():
        result.unreachable = Unreachable("connect", f"no database file at {url.display}")
        return result
    try:
        db = _Db(path, timeout)
    except sqlite3.Error as exc:
        result.unreachable = Unreachable("connect", str(exc))
        return result
    with closing(db.conn):
        try:
            db.rows_of("PRAGMA query_only = ON")
            tables = [
                str(name)
                for (name,) in db.rows_of(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
                )
            ]
        except sqlite3.DatabaseError as exc:
            result.unreachable = Unreachable("catalog", str(exc))
            return result
        for query in queries:
            _plan(db, query, tables, large_rows, result)
            if analyze:
                result.timings.append(_timed(db, query))
        result.foreign_keys = _foreign_key_gaps(db, tables, large_rows)
    return result


def _plan(db: _Db, query: HotQuery, tables: list[str], large_rows: int, result: Inspection) -> None:
    sql = to_sqlite(query.sql)
    try:
        details = [str(row[3]) for row in db.rows_of(f"EXPLAIN QUERY PLAN {sql}", query.params)]
    except sqlite3.Error as exc:
        raise CheckConfigError(f"database.queries {query.name!r}: {exc}") from None
    result.plans.append(
        {"query": query.name, "source": query.source.value, "plan": " | ".join(details)}
    )
    by_name = {t.lower(): t for t in tables}
    aliases = {
        alias: by_name[t.lower()]
        for alias, t in table_aliases(query.sql).items()
        if t.lower() in by_name
    }
    for scan in sqlite_scans(details):
        table = aliases.get(scan.name.lower()) or by_name.get(scan.name.lower())
        if table is None:
            continue  # a CTE or a subquery, not a table
        rows = db.count(table)
        if rows < large_rows:
            continue
        refs = _refs(db, query.sql, scan, table, aliases)
        columns = choose_columns(refs, db.columns(table))
        result.scans.append(
            SeqScan(
                query=query,
                relation=quote_ident(table),
                rows=rows,
                condition=scan.detail,
                advice=_advice(db, query, table, columns),
            )
        )


def _refs(
    db: _Db, sql: str, scan: SqliteScan, table: str, aliases: dict[str, str]
) -> list[ColumnRef]:
    """The compared columns of this scan's table, with the table's own spelling: qualified
    by the name the plan shows, or bare and found in no other table of the query."""
    own = {c.lower(): c for c in db.columns(table)}
    if scan.automatic_columns:
        names = [own[c.lower()] for c in scan.automatic_columns if c.lower() in own]
        return [ColumnRef(None, name, True) for name in names]
    others = {c.lower() for t in set(aliases.values()) - {table} for c in db.columns(t)}
    refs: list[ColumnRef] = []
    for ref in predicate_columns(sql):
        column = own.get(ref.column.lower())
        if column is None:
            continue
        mine = ref.qualifier is not None and ref.qualifier.lower() == scan.name.lower()
        bare = ref.qualifier is None and ref.column.lower() not in others
        if mine or bare:
            refs.append(ColumnRef(ref.qualifier, column, ref.equality))
    return refs


def _advice(db: _Db, query: HotQuery, table: str, columns: tuple[str, ...]) -> IndexAdvice:
    if not columns:
        return IndexAdvice(columns, None)
    statement = create_index(None, table, columns, postgres=False)
    try:
        used = _used_in_memory(db, query, table, columns)
    except sqlite3.Error:
        return IndexAdvice(columns, statement)
    if used is None:
        return IndexAdvice(columns, None, IN_MEMORY_CHECK)
    return IndexAdvice(columns, statement, IN_MEMORY_CHECK, plan_after=used)


def _used_in_memory(db: _Db, query: HotQuery, table: str, columns: tuple[str, ...]) -> str | None:
    """The plan line that uses the index in an in-memory copy of the schema, or None."""
    schema = db.rows_of(
        "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
    )
    stats = _stat1(db)
    with closing(sqlite3.connect(":memory:", isolation_level=None)) as memory:
        for (ddl,) in schema:
            try:
                memory.execute(ddl)
            except sqlite3.Error:
                continue  # a virtual table whose module is not loaded here, for one
        if stats:
            memory.execute("ANALYZE")
            memory.execute("DELETE FROM sqlite_stat1")
            memory.executemany("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", stats)
            memory.execute("ANALYZE sqlite_schema")  # makes the planner re-read the stats
        cols = ", ".join(quote_ident(c) for c in columns)
        memory.execute(f"CREATE INDEX {_HYPOTHETICAL} ON {quote_ident(table)} ({cols})")
        plan = memory.execute(f"EXPLAIN QUERY PLAN {to_sqlite(query.sql)}", tuple(query.params))
        # SEARCH: a lookup through the index. A SCAN ... USING COVERING INDEX still reads
        # every entry, a smaller full scan, and is no reason to build an index.
        uses = re.compile(rf"^SEARCH .*\bINDEX {_HYPOTHETICAL}\b")
        for row in plan.fetchall():
            detail = str(row[3])
            if uses.search(detail):
                return detail.replace(_HYPOTHETICAL, index_name(table, columns))
    return None


def _stat1(db: _Db) -> list[tuple[Any, ...]]:
    try:
        return db.rows_of("SELECT tbl, idx, stat FROM sqlite_stat1")
    except sqlite3.OperationalError:
        return []  # never analysed: no such table


def _timed(db: _Db, query: HotQuery) -> Timing:
    """Run a manifest SELECT to the last row (SQLite has no EXPLAIN ANALYZE) and time it.
    The connection is read-only, so even a statement that got here by mistake could not
    write."""
    problem = select_problem(query.sql)
    if problem is not None:  # checked before opening; kept here so it cannot be skipped
        raise InputError(f"--analyze runs only SELECT statements: {query.name!r} {problem}")
    started = time.perf_counter()
    db.arm()
    try:
        cursor = db.conn.execute(to_sqlite(query.sql), tuple(query.params))
        while cursor.fetchmany(1000):
            pass
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise CheckConfigError(f"database.queries {query.name!r}: {exc}") from None
        return Timing(query, db.timeout * 1000, timed_out=True)
    return Timing(query, (time.perf_counter() - started) * 1000)


def _foreign_key_gaps(db: _Db, tables: list[str], large_rows: int) -> list[ForeignKeyGap]:
    """Foreign keys of big tables with no full index whose leading columns are the key's."""
    gaps: list[ForeignKeyGap] = []
    for table in tables:
        keys: dict[int, tuple[str, list[str]]] = {}
        for row in db.rows_of(f"PRAGMA foreign_key_list({quote_ident(table)})"):
            keys.setdefault(int(row[0]), (str(row[2]), []))[1].append(str(row[3]))
        if not keys or db.count(table) < large_rows:
            continue
        leading = _index_prefixes(db, table)
        for _, (references, columns) in sorted(keys.items()):
            wanted = {c.lower() for c in columns}
            if any({c.lower() for c in cols[: len(columns)]} == wanted for cols in leading):
                continue
            gaps.append(
                ForeignKeyGap(
                    relation=quote_ident(table),
                    constraint=f"FOREIGN KEY ({', '.join(columns)}) REFERENCES {references}",
                    columns=tuple(columns),
                    references=references,
                    rows=db.count(table),
                    statement=create_index(None, table, columns, postgres=False),
                )
            )
    return gaps


def _index_prefixes(db: _Db, table: str) -> list[list[str]]:
    """The column lists of the table's full (non-partial) indexes, and its INTEGER
    PRIMARY KEY, which is the rowid and needs no index."""
    prefixes: list[list[str]] = []
    for row in db.rows_of(f"PRAGMA index_list({quote_ident(table)})"):
        name, partial = str(row[1]), bool(row[4]) if len(row) > 4 else False
        if partial:
            continue
        info = db.rows_of(f"PRAGMA index_info({quote_ident(name)})")
        prefixes.append([str(r[2]) for r in sorted(info) if r[2] is not None])
    info = db.rows_of(f"PRAGMA table_info({quote_ident(table)})")
    keys = [r for r in info if r[5]]
    if len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER":
        prefixes.append([str(keys[0][1])])
    return prefixes
