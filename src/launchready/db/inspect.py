"""One call for the ``db`` area and ``launchready db``: validate, route, pick the engine.

Everything that can be judged without a server is judged first, so bad input never
reaches one: the URL's form, each manifest query being one statement with as many values
as placeholders, and, under ``--analyze``, each being a plain SELECT. Then the engine runs
without blocking the event loop (psycopg's async connection; SQLite in a worker thread).
"""

from __future__ import annotations

import asyncio

from launchready.context import CheckContext
from launchready.db.model import HotQuery, Inspection, Source, Unreachable
from launchready.db.readonly import select_problem, single_statement_problem
from launchready.db.sqltext import params_problem
from launchready.db.url import DatabaseUrl, Engine, parse_url
from launchready.errors import CheckConfigError, InputError
from launchready.manifest.models import Database
from launchready.net.dns import is_ip_literal

DEFAULT_PG_PORT = 5432


def hot_queries(section: Database, *, analyze: bool = False) -> list[HotQuery]:
    """``database.queries`` as hot queries; InputError names the first that cannot be run
    as written (or, with ``analyze``, that is not a plain SELECT)."""
    found: list[HotQuery] = []
    for query in section.queries:
        problem = single_statement_problem(query.sql) or params_problem(query.sql, query.params)
        if problem is not None:
            raise InputError(f"database.queries {query.name!r}: the query {problem}")
        if analyze and (problem := select_problem(query.sql)) is not None:
            raise InputError(
                f"--analyze runs only SELECT statements: database.queries {query.name!r} "
                f"{problem}; it was not run"
            )
        found.append(HotQuery(query.name, query.sql, tuple(query.params), Source.MANIFEST))
    return found


async def inspect_database(ctx: CheckContext, *, analyze: bool = False) -> Inspection:
    """The inspection of ``ctx.manifest.database``. Raises InputError for bad input; an
    unreachable database is not an error but the inspection's ``unreachable``."""
    section = ctx.manifest.database
    if section is None:
        raise InputError("the manifest has no database section")
    url = parse_url(section.url, ctx.manifest.base_dir)
    queries = hot_queries(section, analyze=analyze)
    if url.engine is Engine.SQLITE:
        from launchready.db.sqlite import inspect_sqlite

        return await asyncio.to_thread(
            inspect_sqlite,
            url,
            queries,
            large_rows=section.large_table_rows,
            timeout=ctx.timeout,
            analyze=analyze,
        )
    try:
        from launchready.db.postgres import inspect_postgres
    except ImportError:
        raise CheckConfigError(
            "reading a PostgreSQL database needs psycopg 3: pip install 'launchready[postgres]'"
        ) from None
    route = await _route(url, ctx)
    if isinstance(route, Unreachable):
        return Inspection(url.display, unreachable=route)
    hostaddr, port = route
    return await inspect_postgres(
        url,
        queries,
        large_rows=section.large_table_rows,
        op_timeout=ctx.timeout,
        analyze=analyze,
        hostaddr=hostaddr,
        port=port,
    )


async def _route(
    url: DatabaseUrl, ctx: CheckContext
) -> tuple[str | None, int | None] | Unreachable:
    """Where to connect, honouring ``network`` like every other check: a ``resolve`` entry
    for host:port wins, then the manifest's nameservers; libpq keeps the real host name
    for TLS verification (``host`` beside ``hostaddr``). (None, None): leave it to libpq."""
    host = url.host
    if not host or host.startswith("/") or "," in host or is_ip_literal(host):
        return None, None
    mapped = ctx.manifest.network.resolve.get(f"{host.lower()}:{url.port or DEFAULT_PG_PORT}")
    if mapped is not None:
        address, _, port = mapped.rpartition(":")
        return address.strip("[]"), int(port)
    if not ctx.manifest.network.nameservers:
        return None, None
    addresses = await ctx.resolver.addresses(host)
    if not addresses:
        return Unreachable("connect", f"{host} does not resolve")
    return addresses[0], None
