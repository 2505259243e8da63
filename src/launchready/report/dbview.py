"""The db deliverable (``extras["db"]``) as rows, for the terminal, Markdown and HTML: each
hot query with its plan in brief and cost, the heaviest statements of
``pg_stat_statements``, and the timings of ``--analyze``.

Read defensively like the other views (a report may be re-rendered from edited JSON). The
deliverable holds statement texts already shortened, with literals as
``pg_stat_statements`` normalised them, and hidden ones marked; nothing here redacts.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import mappings, percent, shown, shown_ms

DELIVERABLE = "db"
DASH = "-"


@dataclass(frozen=True)
class PlanRow:
    query: str
    source: str
    plan: str
    cost: str
    skipped: bool


@dataclass(frozen=True)
class StatementRow:
    sql: str
    calls: str
    mean: str
    total: str
    share: str


@dataclass(frozen=True)
class TimingRow:
    query: str
    execution: str


@dataclass(frozen=True)
class DbView:
    summary: str
    plans: tuple[PlanRow, ...]
    statements: tuple[StatementRow, ...]
    timings: tuple[TimingRow, ...]


def db_view(report: Report) -> DbView | None:
    """The deliverable as rows, or None when the report has none."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, dict):
        return None
    plans = tuple(
        PlanRow(
            query=shown(p.get("query"), DASH),
            source=shown(p.get("source"), DASH),
            plan=shown(p.get("plan") or p.get("skipped"), DASH),
            cost=_cost(p.get("cost")),
            skipped=p.get("skipped") is not None,
        )
        for p in mappings(raw.get("plans"))
    )
    statements = tuple(
        StatementRow(
            sql=shown(s.get("sql"), DASH),
            calls=shown(s.get("calls"), DASH),
            mean=shown_ms(s.get("mean_ms")),
            total=shown_ms(s.get("total_ms")),
            share=percent(s.get("share")),
        )
        for s in mappings(raw.get("top_statements"))
    )
    timings = tuple(
        TimingRow(
            query=shown(t.get("query"), DASH),
            execution="timed out"
            if t.get("timed_out") is True
            else shown_ms(t.get("execution_ms")),
        )
        for t in mappings(raw.get("analyzed"))
    )
    summary = (
        f"{shown(raw.get('engine'), 'database')} {shown(raw.get('database'), '')}".strip()
        + f": {len(plans)} hot queries planned, {len(statements)} top statements"
    )
    return DbView(summary, plans, statements, timings)


def _cost(value: JSONValue) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DASH
    return f"{value:,.2f}"


__all__ = ["DbView", "PlanRow", "StatementRow", "TimingRow", "db_view"]
