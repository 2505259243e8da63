"""PostgreSQL: plan the hot queries, prove the missing index with HypoPG, rank statements
from pg_stat_statements, and find unindexed foreign keys, all in one read-only session.

Errors are sorted by what they mean. No connection, or no catalog, is the finding
db.unreachable. A manifest query the server rejects is the manifest's problem (a config
error naming the query), except an UPDATE or DELETE the read-only role may not even plan,
which is skipped with the reason. A pg_stat_statements text that cannot be planned here (a temporary
table, another search_path, a parameter whose type cannot be inferred) is skipped: those
statements are a bonus, and one of them must not cost the others.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from launchready.db.indexes import choose_columns, create_index, hypothetical_index, qualified
from launchready.db.model import (
    HotQuery,
    IndexAdvice,
    Inspection,
    SeqScan,
    Source,
    Statement,
    Timing,
    Unreachable,
)
from launchready.db.pgcatalog import Catalog, foreign_key_gaps, read_statements
from launchready.db.pgsession import PgSession
from launchready.db.plans import (
    PgSeqScan,
    execution_ms,
    index_names,
    node_summary,
    pg_seq_scans,
    total_cost,
)
from launchready.db.readonly import first_word, select_problem, single_statement_problem
from launchready.db.sqltext import predicate_columns, shorten
from launchready.db.url import DatabaseUrl
from launchready.errors import (
    CheckConfigError,
    CheckError,
    CheckTimeout,
    ConnectivityError,
    InputError,
)

log = logging.getLogger("launchready.db")

TOP_STATEMENTS = 10
"""How many of pg_stat_statements' heaviest statements are planned as hot queries."""
_PLANNABLE = frozenset({"select", "with", "update", "delete"})
"""Statements worth planning from pg_stat_statements. EXPLAIN without ANALYZE never runs
them, so an UPDATE's plan is as safe to read as a SELECT's."""


async def inspect_postgres(
    url: DatabaseUrl,
    queries: Sequence[HotQuery],
    *,
    large_rows: int,
    op_timeout: float,
    analyze: bool,
    hostaddr: str | None = None,
    port: int | None = None,
) -> Inspection:
    """Everything the db area reports about one PostgreSQL database."""
    result = Inspection(url.display)
    try:
        session = await PgSession.open(url, op_timeout, hostaddr=hostaddr, port=port)
    except (psycopg.Error, OSError, TimeoutError) as exc:
        result.unreachable = Unreachable("connect", url.scrub(_describe(exc, op_timeout)))
        return result
    try:
        await _inspect(session, url, queries, large_rows, analyze, result)
    except psycopg.Error as exc:
        raise _check_error(exc, url, "reading the database") from None
    finally:
        await session.close()
    return result


async def _inspect(
    session: PgSession,
    url: DatabaseUrl,
    queries: Sequence[HotQuery],
    large_rows: int,
    analyze: bool,
    result: Inspection,
) -> None:
    try:
        catalog = await Catalog.read(session)
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.errors.QueryCanceled) or session.closed:
            raise
        result.unreachable = Unreachable("catalog", url.scrub(_describe(exc, session.timeout)))
        return
    result.engine = catalog.version
    result.statements, result.stats_gap = await read_statements(session, catalog)
    planner = _Planner(session, catalog, large_rows)
    for query in [*queries, *top_statements(result.statements)]:
        await _plan_one(planner, url, query, result)
    if analyze:
        for query in queries:
            result.timings.append(await _timed(session, url, query))
    result.foreign_keys = await foreign_key_gaps(session, catalog, large_rows)


async def _plan_one(
    planner: _Planner, url: DatabaseUrl, query: HotQuery, result: Inspection
) -> None:
    """Plan ``query``; record its plan and the sequential scans worth a finding."""
    try:
        document = await planner.plan(query)
    except psycopg.Error as exc:
        if planner.session.closed:
            raise
        if query.source is Source.MANIFEST and not _may_skip(query, exc):
            raise _check_error(exc, url, f"database.queries {query.name!r}") from None
        log.debug("cannot plan %s: %s", shorten(query.sql), exc)
        if query.source is Source.MANIFEST:
            reason = url.scrub(_describe(exc, 0))
            result.plans.append(
                {"query": query.name, "source": query.source.value, "skipped": reason}
            )
        return
    result.plans.append(
        {
            "query": query.name,
            "source": query.source.value,
            "plan": node_summary(document),
            "cost": round(total_cost(document), 2),
        }
    )
    asked = {(s.relation, s.advice.columns) for s in result.scans}
    for node in pg_seq_scans(document):
        scan = await planner.seq_scan(query, document, node)
        if scan is None:
            continue
        if query.source is Source.STATISTICS and (scan.relation, scan.advice.columns) in asked:
            continue  # an earlier hot query already asked for the same index
        result.scans.append(scan)


def _may_skip(query: HotQuery, exc: psycopg.Error) -> bool:
    """A manifest UPDATE or DELETE that the role may not plan: planning a write needs the
    write privilege, which the read-only role the manifest recommends rightly lacks. It is
    skipped with the reason, not an error; a SELECT the role cannot read is one."""
    writes = first_word(query.sql) not in ("select", "with")
    return writes and isinstance(exc, psycopg.errors.InsufficientPrivilege)


def top_statements(statements: Sequence[Statement]) -> list[HotQuery]:
    """The heaviest plannable statements of pg_stat_statements, as hot queries."""
    hot: list[HotQuery] = []
    for statement in statements:
        if len(hot) >= TOP_STATEMENTS:
            break
        if (
            statement.visible
            and first_word(statement.text) in _PLANNABLE
            and single_statement_problem(statement.text) is None
        ):
            hot.append(HotQuery(shorten(statement.text), statement.text, (), Source.STATISTICS))
    return hot


class _Planner:
    """Plans queries and turns their sequential scans into advice."""

    def __init__(self, session: PgSession, catalog: Catalog, large_rows: int) -> None:
        self.session = session
        self.catalog = catalog
        self.large_rows = large_rows

    async def plan(self, query: HotQuery) -> Mapping[str, Any]:
        if query.source is Source.STATISTICS:
            return await self.session.explain_generic(query.sql)
        return await self.session.explain(query.sql, query.params)

    async def seq_scan(
        self, query: HotQuery, document: Mapping[str, Any], node: PgSeqScan
    ) -> SeqScan | None:
        """The finding's facts when ``node`` reads a big relation, else None."""
        rows = await self.catalog.rows(self.session, node.schema, node.relation)
        if rows < self.large_rows:
            return None
        available = await self.catalog.columns(self.session, node.schema, node.relation)
        conditions = [node.filter] if node.filter else list(node.join_conditions)
        refs = [
            ref
            for text in conditions
            for ref in predicate_columns(text)
            if ref.qualifier == node.alias
        ]
        columns = choose_columns(refs, available)
        condition = node.filter or (node.join_conditions[0] if node.join_conditions else None)
        return SeqScan(
            query=query,
            relation=qualified(node.schema, node.relation),
            rows=rows,
            condition=condition,
            advice=await self._advice(query, document, node, columns),
        )

    async def _advice(
        self,
        query: HotQuery,
        document: Mapping[str, Any],
        node: PgSeqScan,
        columns: tuple[str, ...],
    ) -> IndexAdvice:
        if not columns:
            return IndexAdvice(columns, None)
        statement = create_index(node.schema, node.relation, columns, postgres=True)
        hypopg = self.catalog.extensions.get("hypopg")
        if hypopg is None:
            return IndexAdvice(columns, statement)
        ddl = hypothetical_index(node.schema, node.relation, columns)
        try:
            async with self.session.hypothetical_index(hypopg, ddl) as name:
                after = await self.plan(query)
        except psycopg.Error as exc:
            if self.session.closed:
                raise
            log.debug("HypoPG could not try %s: %s", ddl, exc)
            return IndexAdvice(columns, statement)
        before = total_cost(document)
        if name not in index_names(after):
            return IndexAdvice(columns, None, "hypopg", cost_before=before)
        return IndexAdvice(
            columns,
            statement,
            "hypopg",
            cost_before=before,
            cost_after=total_cost(after),
            plan_after=node_summary(after),
        )


async def _timed(session: PgSession, url: DatabaseUrl, query: HotQuery) -> Timing:
    """EXPLAIN ANALYZE of a manifest SELECT, inside a savepoint that is rolled back, in
    the READ ONLY transaction. A statement cancelled by the statement timeout is slow by
    definition, and says so."""
    problem = select_problem(query.sql)
    if problem is not None:  # checked before connecting; kept here so it cannot be skipped
        raise InputError(f"--analyze runs only SELECT statements: {query.name!r} {problem}")
    try:
        document = await session.explain(query.sql, query.params, analyze=True)
    except psycopg.errors.QueryCanceled:
        if session.closed:
            raise
        return Timing(query, session.timeout * 1000, timed_out=True)
    except psycopg.Error as exc:
        raise _check_error(exc, url, f"database.queries {query.name!r}") from None
    return Timing(query, execution_ms(document) or 0.0)


def _check_error(exc: psycopg.Error, url: DatabaseUrl, what: str) -> CheckError:
    """The CheckError a server error stands for: a timeout, a lost connection, or (the
    server understood us and said no) a configuration problem."""
    message = f"{what}: {url.scrub(_describe(exc, 0))}"
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return CheckTimeout(message)
    if type(exc) is psycopg.OperationalError or isinstance(exc, psycopg.errors.AdminShutdown):
        return ConnectivityError(message)
    return CheckConfigError(message)


def _describe(exc: BaseException, timeout: float) -> str:
    """One line for a report: the server's primary message when there is one."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g}s"
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    text = str(primary or exc).strip() or type(exc).__name__
    return " ".join(text.split())
