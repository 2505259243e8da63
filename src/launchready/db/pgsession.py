"""One read-only PostgreSQL session, and the few things done in it.

Read-only three times over, so no single mistake can write: the session's default is
``default_transaction_read_only``, all work runs inside one ``BEGIN TRANSACTION READ ONLY``
that is rolled back at the end, and everything that runs a statement of the user's
(EXPLAIN, and EXPLAIN ANALYZE under ``--analyze``) does so inside a savepoint that is
always rolled back. PREPARE, ``SET LOCAL`` and HypoPG's hypothetical indexes are session
memory, not data, and all are undone before the session closes.

Nothing here may hang: connecting is bounded by the timeout, the server cancels any
statement after it (``statement_timeout``), and each round trip is bounded on our side
too, in case the server itself is what does not answer. Every statement we send starts
with :data:`MARK`, so pg_stat_statements' figures can leave our own statements out.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

import psycopg

from launchready.db.indexes import quote_ident
from launchready.db.plans import root_plan
from launchready.db.sqltext import param_numbers, to_psycopg
from launchready.db.url import DatabaseUrl
from launchready.errors import CheckTimeout

MARK = "/* launchready */ "
ROUND_TRIP_GRACE_S = 2.0
"""Our own bound on a round trip exceeds the server's statement_timeout by this much, so
a slow statement normally ends as the server's cancellation, which names it."""

T = TypeVar("T")
_names = itertools.count(1)


class PgSession:
    """A connection in autocommit mode whose one open transaction we manage ourselves, so
    every statement that reaches the server (BEGIN included) is ours and marked."""

    def __init__(self, conn: psycopg.AsyncConnection[tuple[Any, ...]], timeout: float) -> None:
        self._conn = conn
        self.timeout = timeout

    @classmethod
    async def open(
        cls, url: DatabaseUrl, op_timeout: float, *, hostaddr: str | None, port: int | None
    ) -> PgSession:
        """Connect and enter the read-only transaction; raises psycopg.Error, OSError or
        TimeoutError when the server cannot be reached."""
        options: dict[str, Any] = {
            "autocommit": True,
            # libpq counts whole seconds, at least 2; the wait_for below is the real bound.
            "connect_timeout": max(2, math.ceil(op_timeout)),
            "application_name": "launchready",
        }
        if hostaddr is not None:
            options["hostaddr"] = hostaddr
        if port is not None:
            options["port"] = port
        conn = await asyncio.wait_for(
            psycopg.AsyncConnection.connect(url.conninfo, **options), op_timeout
        )
        session = cls(conn, op_timeout)
        try:
            await session.execute("SET default_transaction_read_only = on")
            await session.execute(f"SET statement_timeout = {max(1, round(op_timeout * 1000))}")
            await session.execute("BEGIN TRANSACTION READ ONLY")
        except BaseException:
            await session.close()
            raise
        return session

    @property
    def closed(self) -> bool:
        return self._conn.closed

    async def close(self) -> None:
        """Roll back and disconnect; closing alone would end the transaction too, so a
        failure to roll back is of no consequence."""
        if not self._conn.closed:
            with suppress(psycopg.Error, CheckTimeout):
                await self.execute("ROLLBACK")
        await self._conn.close()

    async def _bounded(self, operation: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(operation, self.timeout + ROUND_TRIP_GRACE_S)
        except TimeoutError:
            await self._conn.close()
            raise CheckTimeout(
                f"the database did not answer within {self.timeout + ROUND_TRIP_GRACE_S:g}s"
            ) from None

    async def fetch(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement (``%s`` placeholders when ``params`` is given) and return its
        rows. The text is ours or a user query that passed the single-statement check."""
        async with self._conn.cursor() as cur:
            await self._bounded(cur.execute(MARK + sql, params))
            return await cur.fetchall() if cur.description is not None else []

    async def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        await self.fetch(sql, params)

    @asynccontextmanager
    async def scratch(self) -> AsyncIterator[None]:
        """A savepoint that is always rolled back: whatever runs inside leaves no trace in
        the transaction, and an error inside it does not abort the rest of the work."""
        await self.execute("SAVEPOINT launchready")
        try:
            yield
        finally:
            if not self._conn.closed:
                await self.execute("ROLLBACK TO SAVEPOINT launchready")
                await self.execute("RELEASE SAVEPOINT launchready")

    async def explain(
        self, sql: str, params: Sequence[Any] = (), *, analyze: bool = False
    ) -> Mapping[str, Any]:
        """EXPLAIN (VERBOSE, FORMAT JSON) with the values bound by the driver, so the
        planner sees them as it would from the application (a custom plan)."""
        options = "ANALYZE, VERBOSE, FORMAT JSON" if analyze else "VERBOSE, FORMAT JSON"
        text, values = to_psycopg(sql, params)
        async with self.scratch():
            rows = await self.fetch(f"EXPLAIN ({options}) {text}", values)
        return root_plan(rows[0][0])

    async def explain_generic(self, sql: str) -> Mapping[str, Any]:
        """The generic plan of a statement with ``$n`` and no values (pg_stat_statements
        text). PostgreSQL 16 spells this EXPLAIN (GENERIC_PLAN); PREPARE with
        ``plan_cache_mode = force_generic_plan`` gives the same plan on 12 and later, so one
        code path serves every supported server. The NULLs passed to EXECUTE are never
        looked at: a generic plan is made without the values."""
        count = max(param_numbers(sql), default=0)
        if count == 0:
            return await self.explain(sql)
        name = f"launchready_{next(_names)}"
        prepared = False
        try:
            async with self.scratch():
                await self.execute(f"PREPARE {name} AS {sql}")
                prepared = True
                await self.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                nulls = ", ".join(["NULL"] * count)
                rows = await self.fetch(f"EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE {name}({nulls})")
        finally:
            if prepared and not self._conn.closed:
                await self.execute(f"DEALLOCATE {name}")
        return root_plan(rows[0][0])

    @asynccontextmanager
    async def hypothetical_index(self, hypopg_schema: str, ddl: str) -> AsyncIterator[str]:
        """A HypoPG index for the duration of the block; yields its name as plans show it.

        HypoPG keeps it in this backend's memory only (nothing reaches the catalog or the
        disk, and it works inside our READ ONLY transaction), and it outlives a rolled-back
        savepoint, so it is dropped explicitly."""
        schema = quote_ident(hypopg_schema)
        async with self.scratch():
            rows = await self.fetch(
                f"SELECT indexrelid, indexname FROM {schema}.hypopg_create_index(%s)", [ddl]
            )
        oid, name = rows[0]
        try:
            yield str(name)
        finally:
            if not self._conn.closed:
                await self.execute(f"SELECT {schema}.hypopg_drop_index(%s)", [oid])
