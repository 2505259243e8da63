"""The db deliverable on the terminal: the hot queries' plans, the heaviest statements and
the ``--analyze`` timings. Every value reaches Rich as plain Text."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from launchready.findings import Report
from launchready.report.dbview import db_view
from launchready.report.textblocks import plain_table, section, spaced


def db_sections(report: Report) -> list[RenderableType]:
    """The database section, only when the report delivers one."""
    view = db_view(report)
    if view is None:
        return []
    parts: list[RenderableType] = [Text(view.summary)]
    if view.plans:
        table = plain_table()
        table.add_column("query", overflow="fold")
        table.add_column("from", no_wrap=True)
        table.add_column("cost", justify="right", no_wrap=True)
        table.add_column("plan", ratio=1, overflow="fold")
        for p in view.plans:
            plan = Text(p.plan, "yellow") if p.skipped else Text(p.plan)
            table.add_row(Text(p.query), Text(p.source), Text(p.cost), plan)
        parts.append(spaced(table))
    if view.statements:
        table = plain_table()
        table.add_column("calls", justify="right", no_wrap=True)
        table.add_column("mean", justify="right", no_wrap=True)
        table.add_column("total", justify="right", no_wrap=True)
        table.add_column("share", justify="right", no_wrap=True)
        table.add_column("top statements (pg_stat_statements)", ratio=1, overflow="fold")
        for s in view.statements:
            table.add_row(Text(s.calls), Text(s.mean), Text(s.total), Text(s.share), Text(s.sql))
        parts.append(spaced(table))
    if view.timings:
        table = plain_table()
        table.add_column("query (EXPLAIN ANALYZE)", overflow="fold")
        table.add_column("execution", justify="right", no_wrap=True)
        for t in view.timings:
            table.add_row(Text(t.query), Text(t.execution))
        parts.append(spaced(table))
    return [section("Database: hot queries", *parts)]


__all__ = ["db_sections"]
