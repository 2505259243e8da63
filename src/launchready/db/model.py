"""What an inspection of a database found, as plain values.

Both engines fill the same :class:`Inspection`, and :mod:`launchready.db.findings` turns
it into findings: the thresholds of checks.md live in one place, apply to PostgreSQL and
SQLite alike, and can be tested on hand-made values without a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from launchready.findings import JSONValue


class Source(StrEnum):
    """Where a hot query came from."""

    MANIFEST = "database.queries"
    STATISTICS = "pg_stat_statements"
    ANALYZE = "--analyze"


@dataclass(frozen=True)
class HotQuery:
    """A query worth planning: a manifest entry, or a statement at the top of
    pg_stat_statements (normalised text, ``$n`` where constants were)."""

    name: str
    sql: str
    params: tuple[Any, ...] = ()
    source: Source = Source.MANIFEST


@dataclass(frozen=True)
class IndexAdvice:
    """The index that would end a sequential scan, or why there is none to give."""

    columns: tuple[str, ...]
    statement: str | None
    """``CREATE INDEX ...;`` to run, or None when no index would help."""
    checked_with: str | None = None
    """``hypopg``, or ``a copy of the schema in memory`` (SQLite); None: not verified."""
    cost_before: float | None = None
    cost_after: float | None = None
    plan_after: str | None = None


@dataclass(frozen=True)
class SeqScan:
    query: HotQuery
    relation: str
    rows: int
    condition: str | None
    """PostgreSQL's Filter of the scan node, or SQLite's plan line."""
    advice: IndexAdvice


@dataclass(frozen=True)
class Statement:
    """One pg_stat_statements entry of this database (top-level statements only, so a
    function and the statements inside it are not counted twice)."""

    text: str
    calls: int
    total_ms: float
    mean_ms: float
    visible: bool = True
    """False when the role may not see another role's statement text."""


@dataclass(frozen=True)
class ForeignKeyGap:
    relation: str
    constraint: str
    columns: tuple[str, ...]
    references: str
    rows: int
    statement: str


@dataclass(frozen=True)
class Timing:
    """A manifest SELECT run under ``--analyze``."""

    query: HotQuery
    execution_ms: float
    timed_out: bool = False


@dataclass(frozen=True)
class StatsGap:
    """Why pg_stat_statements could not be read, and what to do about it."""

    reason: str
    fix: str | None = None


@dataclass(frozen=True)
class Unreachable:
    stage: str
    """``connect`` or ``catalog``."""
    error: str


@dataclass
class Inspection:
    database: str
    """``database.url`` as reports may show it (no password)."""
    engine: str = ""
    scans: list[SeqScan] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    stats_gap: StatsGap | None = None
    foreign_keys: list[ForeignKeyGap] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    plans: list[dict[str, JSONValue]] = field(default_factory=list)
    """Each hot query's plan in brief: the deliverable beside the findings."""
    unreachable: Unreachable | None = None
