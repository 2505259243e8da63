"""The db deliverable on the terminal: the hot queries' plans, the heaviest statements and
the ``--analyze`` timings. Every value reaches Rich as plain Text."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from launchready.findings import Report
from launchready.report.dbview import db_view


def _table() -> Table:
    return Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)


def db_sections(report: Report) -> list[RenderableType]:
    """The database section, only when the report delivers one."""
    view = db_view(report)
    if view is None:
        return []
    parts: list[RenderableType] = [Text(view.summary)]
    if view.plans:
        table = _table()
        table.add_column("query", overflow="fold")
        table.add_column("from", no_wrap=True)
        table.add_column("cost", justify="right", no_wrap=True)
        table.add_column("plan", ratio=1, overflow="fold")
        for p in view.plans:
            plan = Text(p.plan, "yellow") if p.skipped else Text(p.plan)
            table.add_row(Text(p.query), Text(p.source), Text(p.cost), plan)
        parts.append(Padding(table, (1, 0, 0, 0)))
    if view.statements:
        table = _table()
        table.add_column("calls", justify="right", no_wrap=True)
        table.add_column("mean", justify="right", no_wrap=True)
        table.add_column("total", justify="right", no_wrap=True)
        table.add_column("share", justify="right", no_wrap=True)
        table.add_column("top statements (pg_stat_statements)", ratio=1, overflow="fold")
        for s in view.statements:
            table.add_row(Text(s.calls), Text(s.mean), Text(s.total), Text(s.share), Text(s.sql))
        parts.append(Padding(table, (1, 0, 0, 0)))
    if view.timings:
        table = _table()
        table.add_column("query (EXPLAIN ANALYZE)", overflow="fold")
        table.add_column("execution", justify="right", no_wrap=True)
        for t in view.timings:
            table.add_row(Text(t.query), Text(t.execution))
        parts.append(Padding(table, (1, 0, 0, 0)))
    title = Text("Database: hot queries", "bold")
    return [Group(Rule(title), Padding(Group(*parts), (0, 0, 1, 0)))]


__all__ = ["db_sections"]
