"""The logs deliverable on the terminal: a files table, the per-route table, the top error
templates and the live request-ID check. Every value reaches Rich as plain Text."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from launchready.findings import Report
from launchready.report.logsview import LogsView, logs_view


def _table() -> Table:
    return Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)


def logs_sections(report: Report) -> list[RenderableType]:
    """The logs section, only when the report delivers one."""
    view = logs_view(report)
    if view is None:
        return []
    parts: list[RenderableType] = [Text(view.summary), _files(view)]
    if view.routes:
        parts.append(_routes(view))
    if view.errors:
        table = _table()
        table.add_column("lines", justify="right", no_wrap=True)
        table.add_column("share", justify="right", no_wrap=True)
        table.add_column(f"top error templates (of {view.error_lines} error lines)", ratio=1)
        for e in view.errors:
            table.add_row(Text(e.count), Text(e.share), Text(e.template))
        parts.append(Padding(table, (1, 0, 0, 0)))
    if view.live:
        table = _table()
        table.add_column(view.header, no_wrap=True)
        table.add_column("route", overflow="fold")
        table.add_column("url", ratio=1, overflow="fold")
        table.add_column("status", no_wrap=True)
        for c in view.live:
            mark = Text("yes", "green") if c.present else Text("missing", "bold red")
            table.add_row(mark, Text(c.route), Text(c.url), Text(c.answer))
        parts.append(Padding(table, (1, 0, 0, 0)))
    title = Text("Logs: real traffic", "bold")
    return [Group(Rule(title), Padding(Group(*parts), (0, 0, 1, 0)))]


def _files(view: LogsView) -> RenderableType:
    table = _table()
    table.add_column("file", ratio=2, overflow="fold")
    table.add_column("format", overflow="fold")
    table.add_column("lines", justify="right", no_wrap=True)
    table.add_column("unparsed", justify="right", no_wrap=True)
    table.add_column("request IDs", justify="right", no_wrap=True)
    table.add_column("newest", no_wrap=True)
    for f in view.files:
        path = Text(f.path)
        if f.note:
            path.append(f"\n{f.note}", "dim")
        table.add_row(
            path,
            Text(f.format),
            Text(f.lines),
            Text(f.unparsed),
            Text(f.request_ids),
            Text(f.newest),
        )
    return Padding(table, (1, 0, 0, 0))


def _routes(view: LogsView) -> RenderableType:
    table = _table()
    table.add_column("route template", overflow="fold")
    for name in ("requests", "p50", "p95", "p99", "5xx", "budget"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("worst 5 minutes", ratio=1, min_width=24, overflow="fold")
    for r in view.routes:
        template = Text(r.template)
        if r.route:
            template.append(f" ({r.route})", "dim")
        p95 = Text(r.p95, "bold red" if r.over else "")
        table.add_row(
            template,
            Text(r.requests),
            Text(r.p50),
            p95,
            Text(r.p99),
            Text(r.errors),
            Text(r.budget),
            Text(r.worst),
        )
    parts: list[RenderableType] = [table]
    if view.hidden_routes:
        parts.append(Text(f"… and {view.hidden_routes} quieter templates", "dim"))
    return Padding(Group(*parts), (1, 0, 0, 0))


__all__ = ["logs_sections"]
