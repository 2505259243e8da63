"""The demo store's order database: a SQLite file shaped like a small shop's.

20,000 orders of 2,000 customers with their items. The flawed store looks customers'
orders up by email with no index on that column (a full scan on every chat message that
asks "where is my order?") and never indexed the items' foreign key; the fixed store has
both indexes.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

from launchready.demo.settings import DOMAIN, OTHER_CUSTOMER, SMOKE_CUSTOMER

CUSTOMERS = 2_000
ORDERS = 20_000
FIRST_ORDER = 1001
STATUSES = ("paid", "packed", "shipped", "delivered")
CUSTOMER_ORDERS_SQL = (
    "SELECT id, status, created_at FROM orders WHERE customer_email = $1 "
    "ORDER BY created_at DESC LIMIT 20"
)
"""The chat assistant's lookup, as the manifest names it (``$1`` placeholders)."""
ORDER_STATUS_SQL = "SELECT status FROM orders WHERE id = $1"


def create_shop_db(path: Path, *, fixed: bool) -> None:
    """Write the database (deterministic contents, so audits compare run to run)."""
    rng = random.Random(1001)
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customers(id),
                customer_email TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE order_items (
                id INTEGER PRIMARY KEY,
                order_id INTEGER NOT NULL REFERENCES orders(id),
                sku TEXT NOT NULL,
                quantity INTEGER NOT NULL
            );
            CREATE INDEX orders_customer_id ON orders(customer_id);
            """
        )
        emails = [SMOKE_CUSTOMER.email, OTHER_CUSTOMER.email] + [
            f"customer{n}@mail.{DOMAIN}" for n in range(3, CUSTOMERS + 1)
        ]
        db.executemany(
            "INSERT INTO customers (id, email) VALUES (?, ?)",
            [(n, email) for n, email in enumerate(emails, start=1)],
        )
        orders = []
        for index in range(ORDERS):
            order_id = FIRST_ORDER + index
            customer = 1 if order_id == int(SMOKE_CUSTOMER.order) else rng.randrange(2, CUSTOMERS)
            if order_id == int(OTHER_CUSTOMER.order):
                customer = 2
            day = 1 + index * 300 // ORDERS
            orders.append(
                (
                    order_id,
                    customer,
                    emails[customer - 1],
                    rng.choice(STATUSES),
                    f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}",
                )
            )
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", orders)
        db.executemany(
            "INSERT INTO order_items (order_id, sku, quantity) VALUES (?, ?, ?)",
            [
                (o[0], f"SKU-{rng.randrange(40)}", 1 + rng.randrange(3))
                for o in orders
                for _ in range(2)
            ],
        )
        if fixed:
            db.executescript(
                """
                CREATE INDEX orders_customer_email ON orders(customer_email);
                CREATE INDEX order_items_order_id ON order_items(order_id);
                """
            )
        db.execute("ANALYZE")
