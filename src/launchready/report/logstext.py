"""The logs deliverable on the terminal: a files table, the per-route table, the top error
templates and the live request-ID check. Every value reaches Rich as plain Text."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from launchready.findings import Report
from launchready.report.logsview import LogsView, logs_view
from launchready.report.textblocks import plain_table, section, spaced


def logs_sections(report: Report) -> list[RenderableType]:
    """The logs section, only when the report delivers one."""
    view = logs_view(report)
    if view is None:
        return []
    parts: list[RenderableType] = [Text(view.summary), _files(view)]
    if view.routes:
        parts.append(_routes(view))
    if view.errors:
        table = plain_table()
        table.add_column("lines", justify="right", no_wrap=True)
        table.add_column("share", justify="right", no_wrap=True)
        table.add_column(f"top error templates (of {view.error_lines} error lines)", ratio=1)
        for e in view.errors:
            table.add_row(Text(e.count), Text(e.share), Text(e.template))
        parts.append(spaced(table))
    if view.live:
        table = plain_table()
        table.add_column(view.header, no_wrap=True)
        table.add_column("route", overflow="fold")
        table.add_column("url", ratio=1, overflow="fold")
        table.add_column("status", no_wrap=True)
        for c in view.live:
            mark = Text("yes", "green") if c.present else Text("missing", "bold red")
            table.add_row(mark, Text(c.route), Text(c.url), Text(c.answer))
        parts.append(spaced(table))
    return [section("Logs: real traffic", *parts)]


def _files(view: LogsView) -> RenderableType:
    table = plain_table()
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
    return spaced(table)


def _routes(view: LogsView) -> RenderableType:
    table = plain_table()
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
    return spaced(Group(*parts))


__all__ = ["logs_sections"]
