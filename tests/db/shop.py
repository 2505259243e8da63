"""The shop the db tests inspect: customers, 100,000 orders and 200,000 order items, in a
real PostgreSQL (tests/pglab.py) and in SQLite files.

The flawed shop is what a demo-stage store looks like: primary keys only, so looking up a
customer's orders reads the whole table and both foreign keys are unindexed. The clean shop
is the same data with the three indexes the findings ask for. Each is built once per
session as a template database; a test gets its own copy in a few tens of milliseconds
(``CREATE DATABASE ... TEMPLATE``), so its pg_stat_statements figures are its own: they are
kept per database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from tests.pglab import PostgresLab, database_name

READONLY_ROLE = "launchready_ro"
READONLY_PASSWORD = "Sup3r-Secret-pw-7319"
"""Sent, never checked (the lab trusts loopback): the tests prove it is never printed."""

CUSTOMERS = 20_000
ORDERS = 100_000
ITEMS = 200_000

SCHEMA = f"""
CREATE TABLE customers (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status text NOT NULL,
    total_cents integer NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE order_items (
    id bigint PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    sku text NOT NULL,
    quantity integer NOT NULL
);
INSERT INTO customers
    SELECT g, 'customer' || g || '@example.test', now() - g * interval '1 minute'
    FROM generate_series(1, {CUSTOMERS}) g;
INSERT INTO orders
    SELECT g, 1 + g % {CUSTOMERS}, CASE WHEN g % 10 = 0 THEN 'refunded' ELSE 'paid' END,
           100 + g % 9000, now() - g * interval '1 minute'
    FROM generate_series(1, {ORDERS}) g;
INSERT INTO order_items
    SELECT g, 1 + g % {ORDERS}, 'SKU-' || (g % 5000), 1 + g % 3
    FROM generate_series(1, {ITEMS}) g;
"""
CLEAN_INDEXES = """
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
CREATE INDEX order_items_sku_idx ON order_items (sku);
"""

# The hot queries of the shop's manifest: order status, a customer's orders, an order's items.
ORDER_STATUS = "SELECT id, status, total_cents FROM orders WHERE id = $1"
CUSTOMER_ORDERS = (
    "SELECT id, status, created_at FROM orders WHERE customer_id = $1 "
    "ORDER BY created_at DESC LIMIT 20"
)
ORDER_ITEMS = "SELECT sku, quantity FROM order_items WHERE order_id = $1"


class Shop:
    """Template databases in the session's cluster, and copies of them for tests."""

    def __init__(self, lab: PostgresLab, hypopg: bool) -> None:
        self.lab = lab
        self.hypopg = hypopg
        # Only SELECT on the shop's tables, and pg_read_all_stats: reading other roles'
        # statement text in pg_stat_statements (what the db.unreachable fix advises).
        lab.psql(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READONLY_ROLE}') "
            f"THEN CREATE ROLE {READONLY_ROLE} LOGIN PASSWORD '{READONLY_PASSWORD}'; "
            f"GRANT pg_read_all_stats TO {READONLY_ROLE}; END IF; END $$"
        )
        self.flawed = self._build()
        self.clean = self.copy(self.flawed, "shop_clean")
        lab.psql(CLEAN_INDEXES, self.clean)
        for template in (self.flawed, self.clean):
            lab.psql("VACUUM ANALYZE", template)
            lab.psql(f'ALTER DATABASE "{template}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')

    def _build(self) -> str:
        """The flawed shop: the extensions (created here as the superuser; the tool never
        creates anything), the data, and SELECT for the read-only role. Templates then refuse
        connections, so autovacuum cannot be inside one when it is copied."""
        name = database_name("shop_flawed")
        self.lab.create_database(name)
        hypopg = "CREATE EXTENSION hypopg;" if self.hypopg else ""
        self.lab.psql(
            f"CREATE EXTENSION pg_stat_statements; {hypopg} {SCHEMA}"
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READONLY_ROLE};",
            name,
        )
        return name

    def copy(self, template: str, hint: str) -> str:
        """A fresh database copied from ``template``; returns its name."""
        name = database_name(hint)
        self.lab.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY')
        return name

    def url(self, dbname: str, *, role: str = "postgres", password: str | None = None) -> str:
        """A ``database.url`` as a user writes it (plain ``postgresql://``)."""
        secret = f":{password}" if password else ""
        return f"postgresql://{role}{secret}@{self.lab.host}:{self.lab.port}/{dbname}"

    def psql(self, dbname: str, command: str) -> str:
        return self.lab.psql(command, dbname)


async def workload(
    url: str,
    statements: Sequence[tuple[str, Sequence[Any]]],
    *,
    times: int,
    connections: int = 1,
) -> None:
    """Run each statement (psycopg's ``%s`` placeholders) ``times`` times, spread over
    ``connections`` concurrent sessions, as the application would: this is what
    pg_stat_statements will report."""

    async def session(share: int) -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            for _ in range(share):
                for sql, params in statements:
                    await conn.execute(sql, params)

    base, extra = divmod(times, connections)
    await asyncio.gather(*(session(base + (i < extra)) for i in range(connections)))


def build_sqlite(path: Path, *, clean: bool) -> Path:
    """The shop as a SQLite file (rollback journal, the default), with generated rows."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            f"""
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customers (id),
                status TEXT NOT NULL,
                total_cents INTEGER NOT NULL
            );
            CREATE TABLE order_items (
                id INTEGER PRIMARY KEY,
                order_id INTEGER NOT NULL REFERENCES orders (id),
                sku TEXT NOT NULL,
                quantity INTEGER NOT NULL
            );
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {CUSTOMERS})
            INSERT INTO customers SELECT n, 'customer' || n || '@example.test' FROM g;
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {ORDERS})
            INSERT INTO orders SELECT n, 1 + n % {CUSTOMERS},
                CASE WHEN n % 10 = 0 THEN 'refunded' ELSE 'paid' END, 100 + n % 9000 FROM g;
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {ITEMS})
            INSERT INTO order_items SELECT n, 1 + n % {ORDERS}, 'SKU-' || (n % 5000), 1 + n % 3
                FROM g;
            """
        )
        if clean:
            conn.executescript(CLEAN_INDEXES)
    conn.close()
    return path


async def hot_sku_lookups(url: str) -> None:
    """The flawed shop's unlisted hot query (a full scan of order_items, ~10 ms) beside the
    rest of the store's traffic, stood in for by statements of known duration (15 ms, under
    the 20 ms of db.dominant-query) that take most of the time. On a loaded machine the
    scan may slow down past 20 ms; it still does not take half the database's time, so
    only db.seq-scan reports it, on any machine."""
    await workload(url, [("SELECT * FROM order_items WHERE sku = %s", ["SKU-42"])], times=5)
    await workload(url, [("SELECT pg_sleep(%s)", [0.015])], times=40, connections=8)
