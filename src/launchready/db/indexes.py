"""The index to suggest: which columns, in which order, and the statement that creates it.

The advice must be runnable as printed, so names are quoted exactly when the database
would need it and the statement is complete. On PostgreSQL it says CONCURRENTLY: a plain
CREATE INDEX blocks every write to the table while it builds, which on a live store's
orders table is an outage of its own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from launchready.db.lexer import RESERVED
from launchready.db.sqltext import ColumnRef

MAX_INDEX_COLUMNS = 3
PG_NAME_LIMIT = 63
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def quote_ident(name: str) -> str:
    """``name`` as SQL: bare when it is plain lower-case and not reserved, else quoted."""
    if _PLAIN.fullmatch(name) and name not in RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def choose_columns(refs: Sequence[ColumnRef], columns: Collection[str]) -> tuple[str, ...]:
    """Equality columns first (in the order the query compares them), then one range
    column: a B-tree serves ``a = ? AND b = ? AND c > ?`` through (a, b, c), but nothing
    after a range column. Names that are not ``columns`` of the table are dropped."""
    known = set(columns)
    equal = [r.column for r in refs if r.equality and r.column in known]
    ranged = [r.column for r in refs if not r.equality and r.column in known]
    chosen = list(dict.fromkeys(equal))[:MAX_INDEX_COLUMNS]
    for column in ranged:
        if column not in chosen and len(chosen) < MAX_INDEX_COLUMNS:
            chosen.append(column)
            break
    return tuple(chosen)


def index_name(table: str, columns: Sequence[str]) -> str:
    """``orders_customer_id_idx``: table and columns folded to plain characters, cut to
    PostgreSQL's 63-character name limit (which SQLite happily accepts too)."""
    stem = "_".join([table, *columns])
    plain = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_") or "launchready"
    return plain[: PG_NAME_LIMIT - len("_idx")] + "_idx"


def qualified(schema: str | None, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}" if schema else quote_ident(table)


def create_index(schema: str | None, table: str, columns: Sequence[str], *, postgres: bool) -> str:
    """The statement to run, e.g. ``CREATE INDEX CONCURRENTLY orders_customer_id_idx ON
    public.orders (customer_id);``."""
    concurrently = "CONCURRENTLY " if postgres else ""
    name = quote_ident(index_name(table, columns))
    cols = ", ".join(quote_ident(c) for c in columns)
    return f"CREATE INDEX {concurrently}{name} ON {qualified(schema, table)} ({cols});"


def hypothetical_index(schema: str | None, table: str, columns: Sequence[str]) -> str:
    """The form HypoPG's ``hypopg_create_index`` parses (no name, no CONCURRENTLY)."""
    cols = ", ".join(quote_ident(c) for c in columns)
    return f"CREATE INDEX ON {qualified(schema, table)} ({cols})"
