"""Reading query plans: PostgreSQL's EXPLAIN (FORMAT JSON) and SQLite's EXPLAIN QUERY PLAN.

Plans are read as data, never as text to grep: a node's type, relation and conditions are
fields of the JSON, and a sequential scan is only a finding together with the conditions
around it (its own ``Filter``, or the join condition above it) that an index could serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_JOIN_CONDITIONS = ("Hash Cond", "Merge Cond", "Join Filter")


@dataclass(frozen=True)
class PgSeqScan:
    """A ``Seq Scan`` node and the conditions an index on its relation could serve."""

    schema: str
    relation: str
    alias: str
    filter: str | None
    join_conditions: tuple[str, ...]
    """Conditions of the join nodes above it: ``(oi.order_id = o.id)``."""


def root_plan(explained: Any) -> Mapping[str, Any]:
    """The top object of EXPLAIN (FORMAT JSON)'s one-row answer: ``{"Plan": ..., ...}``."""
    document = explained[0] if isinstance(explained, list) else explained
    if not isinstance(document, Mapping) or not isinstance(document.get("Plan"), Mapping):
        raise ValueError("EXPLAIN did not return a JSON plan")
    return document


def _walk(
    node: Mapping[str, Any], ancestors: tuple[Mapping[str, Any], ...] = ()
) -> Iterator[tuple[Mapping[str, Any], tuple[Mapping[str, Any], ...]]]:
    yield node, ancestors
    for child in node.get("Plans", ()):
        if isinstance(child, Mapping):
            yield from _walk(child, (*ancestors, node))


def pg_seq_scans(document: Mapping[str, Any]) -> list[PgSeqScan]:
    """Every sequential scan in the plan (needs EXPLAIN VERBOSE for ``Schema`` and for
    conditions qualified by alias)."""
    found: list[PgSeqScan] = []
    for node, ancestors in _walk(document["Plan"]):
        if node.get("Node Type") != "Seq Scan":
            continue
        relation = str(node.get("Relation Name", ""))
        found.append(
            PgSeqScan(
                schema=str(node.get("Schema", "public")),
                relation=relation,
                alias=str(node.get("Alias", relation)),
                filter=node.get("Filter"),
                join_conditions=tuple(
                    str(a[key]) for a in ancestors for key in _JOIN_CONDITIONS if key in a
                ),
            )
        )
    return found


def total_cost(document: Mapping[str, Any]) -> float:
    """The planner's cost for the whole statement (arbitrary units, comparable between two
    plans of the same query: the before/after of a hypothetical index)."""
    return float(document["Plan"].get("Total Cost", 0.0))


def index_names(document: Mapping[str, Any]) -> set[str]:
    """Every index the plan reads."""
    return {str(node["Index Name"]) for node, _ in _walk(document["Plan"]) if "Index Name" in node}


def execution_ms(document: Mapping[str, Any]) -> float | None:
    """EXPLAIN ANALYZE's measured execution time, in milliseconds."""
    value = document.get("Execution Time")
    return float(value) if isinstance(value, int | float) else None


def node_summary(document: Mapping[str, Any]) -> str:
    """``Limit > Bitmap Heap Scan on orders``: the plan's spine, for the deliverable."""
    parts: list[str] = []
    node: Mapping[str, Any] | None = document["Plan"]
    while node is not None and len(parts) < 6:
        label = str(node.get("Node Type", "?"))
        if "Relation Name" in node:
            label += f" on {node['Relation Name']}"
        parts.append(label)
        children = [c for c in node.get("Plans", ()) if isinstance(c, Mapping)]
        node = children[0] if len(children) == 1 else None
    return " > ".join(parts)


_SQLITE_SCAN = re.compile(
    r"^SCAN (?:TABLE )?(?P<name>\"[^\"]+\"|\S+)(?: AS (?P<alias>\S+))?(?P<rest>.*)$"
)
_SQLITE_AUTOMATIC = re.compile(
    r"^SEARCH (?:TABLE )?(?P<name>\"[^\"]+\"|\S+)(?: AS (?P<alias>\S+))? USING AUTOMATIC "
    r"(?:PARTIAL )?(?:COVERING )?INDEX \((?P<columns>[^)]*)\)"
)


@dataclass(frozen=True)
class SqliteScan:
    """A full table scan in SQLite's plan: ``SCAN orders`` or, just as costly, a
    ``SEARCH ... USING AUTOMATIC INDEX`` (SQLite builds a throwaway index by reading the
    whole table, on every run of the query)."""

    name: str
    """The table's name or its alias, as the plan prints it."""
    detail: str
    automatic_columns: tuple[str, ...] = ()


def sqlite_scans(details: Sequence[str]) -> list[SqliteScan]:
    """The full scans among EXPLAIN QUERY PLAN's ``detail`` lines. A ``SCAN t USING
    [COVERING] INDEX`` walks an index in order, and is left alone like PostgreSQL's index
    scans; subqueries, CTEs and constant rows are not tables."""
    found: list[SqliteScan] = []
    for detail in details:
        if m := _SQLITE_AUTOMATIC.match(detail):
            columns = tuple(
                part.split("=")[0].strip() for part in m["columns"].split(" AND ") if part
            )
            found.append(SqliteScan(_unquote(m["alias"] or m["name"]), detail, columns))
            continue
        m = _SQLITE_SCAN.match(detail)
        if m is None or "USING" in m["rest"] or "VIRTUAL TABLE" in m["rest"]:
            continue
        name = m["name"]
        if name in ("CONSTANT", "SUBQUERY") or name.startswith("("):
            continue
        found.append(SqliteScan(_unquote(m["alias"] or name), detail))
    return found


def _unquote(name: str) -> str:
    return name[1:-1] if len(name) > 1 and name[0] == name[-1] == '"' else name
