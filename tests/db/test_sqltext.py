"""The SQL lexing behind placeholders, the --analyze guard and index columns: tables of
queries, because each rule is one line of a contract."""

from __future__ import annotations

import pytest

from launchready.db.readonly import first_word, select_problem, single_statement_problem
from launchready.db.sqltext import (
    ColumnRef,
    params_problem,
    predicate_columns,
    shorten,
    table_aliases,
    to_psycopg,
    to_sqlite,
)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM orders WHERE id = $1",
        "select id from orders where status = 'delete me; drop table x'",
        'SELECT "update", "into" FROM t',
        "SELECT 1 -- DELETE FROM orders",
        "SELECT 1 /* INSERT /* nested */ INTO t */",
        "SELECT $$ UPDATE t SET a = 1 $$",
        "WITH recent AS (SELECT * FROM orders ORDER BY id DESC LIMIT 5) SELECT * FROM recent",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) "
        "SELECT n FROM c",
        "WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b",
        "(SELECT 1) UNION (SELECT 2);",
        "SELECT substring(email FROM 1 FOR 3) FROM customers",
        "SELECT pg_sleep(0.2)",
    ],
)
def test_plain_reads_may_be_analyzed(sql: str) -> None:
    assert select_problem(sql) is None


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("DELETE FROM orders WHERE id = $1", "is not a SELECT"),
        ("UPDATE orders SET status = 'x'", "is not a SELECT"),
        ("WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone", "DELETE"),
        ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "main statement"),
        ("WITH x AS (SELECT 1) VALUES (1)", "main statement"),
        ("SELECT * INTO backup FROM orders", "INTO"),
        ("SELECT * FROM orders FOR UPDATE", "UPDATE"),
        ("SELECT * FROM orders FOR SHARE", "locks rows"),
        ("SELECT * FROM orders FOR NO KEY UPDATE", "locks rows"),
        ("SELECT nextval('orders_id_seq')", "nextval"),
        ("SELECT pg_terminate_backend(42)", "pg_terminate_backend"),
        ("SELECT pg_advisory_lock(1)", "pg_advisory_lock"),
        ("SELECT set_config('x.y', '1', false)", "set_config"),
        ("SELECT 1; DELETE FROM orders", "more than one statement"),
        ("SELECT 'unterminated", "cannot be read"),
        ("", "is empty"),
        ("TABLE orders", "is not a SELECT"),
        ("EXPLAIN ANALYZE DELETE FROM orders", "is not a SELECT"),
    ],
)
def test_anything_else_is_refused_with_a_reason(sql: str, reason: str) -> None:
    problem = select_problem(sql)
    assert problem is not None and reason in problem


def test_single_statement_allows_a_trailing_semicolon() -> None:
    assert single_statement_problem("SELECT 1;") is None
    assert single_statement_problem("SELECT ';' ; ") is None
    assert single_statement_problem("SELECT 1; SELECT 2") == "holds more than one statement"


@pytest.mark.parametrize(
    ("sql", "word"),
    [("  (SELECT 1)", "select"), ("with x as (select 1) select 1", "with"), ("$1", None)],
)
def test_first_word(sql: str, word: str | None) -> None:
    assert first_word(sql) == word


def test_placeholders_for_psycopg_repeat_values_and_escape_percent() -> None:
    sql = "SELECT * FROM t WHERE a = $2 AND b LIKE 'x%' AND c = $1 AND d = $2 AND e = '$1'"
    text, values = to_psycopg(sql, ["one", "two"])
    assert text == (
        "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%' AND c = %s AND d = %s AND e = '$1'"
    )
    assert values == ["two", "one", "two"]


def test_placeholders_for_sqlite_keep_their_numbers() -> None:
    assert to_sqlite("SELECT $2, '$1', $1 -- $3") == "SELECT ?2, '$1', ?1 -- $3"


@pytest.mark.parametrize(
    ("sql", "params", "problem"),
    [
        ("SELECT $1", [1], None),
        ("SELECT $1, $1", [1], None),
        ("SELECT 1", [], None),
        ("SELECT $1", [], "uses 1 placeholder(s) ($1..$n) but params has 0 value(s)"),
        ("SELECT 1", [1], "uses 0 placeholder(s) ($1..$n) but params has 1 value(s)"),
        ("SELECT $2", [1, 2], "never uses $1"),
    ],
)
def test_params_must_fit_the_placeholders(
    sql: str, params: list[object], problem: str | None
) -> None:
    assert params_problem(sql, params) == problem


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("(orders.customer_id = '42'::smallint)", [("orders", "customer_id", True)]),
        ("((orders.status)::text = 'paid'::text)", [("orders", "status", True)]),
        (
            "((o.created_at > $1) AND (o.customer_id = $2))",
            [("o", "created_at", False), ("o", "customer_id", True)],
        ),
        ("(oi.order_id = o.id)", [("oi", "order_id", True), ("o", "id", True)]),
        ('(t."Mixed Case" = ANY ($1))', [("t", "Mixed Case", True)]),
        ("(lower(c.email) = 'x'::text)", []),
        (
            "WHERE status IN (1, 2) AND total NOT LIKE 'x'",
            [(None, "status", True), (None, "total", False)],
        ),
        ("SELECT email, total FROM t WHERE 5 < total", [(None, "total", False)]),
    ],
)
def test_predicate_columns(text: str, refs: list[tuple[str | None, str, bool]]) -> None:
    assert predicate_columns(text) == [ColumnRef(*ref) for ref in refs]


def test_table_aliases_map_plan_names_to_tables() -> None:
    sql = (
        "SELECT * FROM main.orders AS o JOIN order_items oi ON oi.order_id = o.id "
        'LEFT JOIN customers ON true, (SELECT 1) z JOIN "Weird Table" w ON 1 = 1'
    )
    assert table_aliases(sql) == {
        "orders": "orders",
        "o": "orders",
        "order_items": "order_items",
        "oi": "order_items",
        "customers": "customers",
        "weird table": "Weird Table",
        "w": "Weird Table",
    }
    assert table_aliases("SELECT * FROM a, b bb WHERE 1") == {"a": "a", "b": "b", "bb": "b"}


def test_shorten_flattens_and_cuts() -> None:
    assert shorten("SELECT  *\n  FROM t") == "SELECT * FROM t"
    assert shorten("x" * 100, 10) == "x" * 9 + "…"
