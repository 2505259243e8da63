"""The suggested index (names, quoting, column order) and the reading of SQLite's plan
lines; PostgreSQL's JSON plans are read against the real server in test_postgres.py."""

from __future__ import annotations

import pytest

from launchready.db.indexes import choose_columns, create_index, index_name, quote_ident
from launchready.db.plans import SqliteScan, sqlite_scans
from launchready.db.sqltext import ColumnRef


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("customer_id", "customer_id"),
        ("order", '"order"'),
        ("index", '"index"'),
        ("CustomerId", '"CustomerId"'),
        ('we"ird', '"we""ird"'),
        ("2fa", '"2fa"'),
    ],
)
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_equality_columns_first_then_one_range_column() -> None:
    refs = [
        ColumnRef("o", "created_at", False),
        ColumnRef("o", "customer_id", True),
        ColumnRef("o", "total_cents", False),
        ColumnRef("o", "status", True),
        ColumnRef("o", "customer_id", True),
        ColumnRef("o", "not_a_column", True),
    ]
    known = ["id", "customer_id", "status", "created_at", "total_cents"]
    assert choose_columns(refs, known) == ("customer_id", "status", "created_at")
    assert choose_columns([], known) == ()


def test_create_index_statements() -> None:
    assert create_index("public", "orders", ["customer_id"], postgres=True) == (
        "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);"
    )
    assert create_index(None, "Order Items", ["order"], postgres=False) == (
        'CREATE INDEX order_items_order_idx ON "Order Items" ("order");'
    )
    assert len(index_name("t" * 80, ["c" * 80])) == 63


@pytest.mark.parametrize(
    ("detail", "scan"),
    [
        ("SCAN orders", SqliteScan("orders", "SCAN orders")),
        ("SCAN o", SqliteScan("o", "SCAN o")),
        ("SCAN TABLE orders AS o", SqliteScan("o", "SCAN TABLE orders AS o")),
        ("SCAN orders USING COVERING INDEX orders_customer", None),
        ("SCAN orders USING INDEX orders_created", None),
        ("SEARCH orders USING INDEX orders_customer (customer_id=?)", None),
        ("SEARCH o USING INTEGER PRIMARY KEY (rowid=?)", None),
        ("SCAN CONSTANT ROW", None),
        ("SCAN (subquery-1)", None),
        ("SCAN docs VIRTUAL TABLE INDEX 0:", None),
        (
            "SEARCH oi USING AUTOMATIC COVERING INDEX (order_id=?)",
            SqliteScan(
                "oi", "SEARCH oi USING AUTOMATIC COVERING INDEX (order_id=?)", ("order_id",)
            ),
        ),
    ],
)
def test_sqlite_full_scans(detail: str, scan: SqliteScan | None) -> None:
    assert sqlite_scans([detail]) == ([scan] if scan else [])
