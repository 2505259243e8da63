"""Terminal tables for the routing and TLS deliverables, kept out of ``text.py`` so that
module stays about the risk list; every value reaches Rich as plain Text, never markup."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from launchready.findings import Report
from launchready.report.perfview import light_lines, load_lines
from launchready.report.redteamview import redteam_lines
from launchready.report.routing import matrix_rows, timing_rows
from launchready.report.smokeview import smoke_lines, smoke_rows
from launchready.report.tlsview import tls_rows


def _table() -> Table:
    return Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)


def sections(report: Report) -> list[RenderableType]:
    """The redirect matrix, route timings, TLS certificates and smoke steps, each only when
    delivered."""
    parts: list[RenderableType] = []
    rows = matrix_rows(report)
    if rows:
        table = _table()
        table.add_column("source", ratio=3, overflow="fold")
        table.add_column("hops", ratio=3, overflow="fold")
        table.add_column("final", ratio=3, overflow="fold")
        table.add_column("verdict", no_wrap=True)
        for row in rows:
            source = Text(row.source)
            if row.expected:
                source.append(f"\nexpected {row.expected}", "dim")
            hops = "\n".join(row.hops) + (f"\n… and {row.omitted} more" if row.omitted else "")
            style = "green" if row.ok else "bold red"
            table.add_row(source, Text(hops), Text(row.final), Text(row.verdict, style))
        parts.append(Group(Rule(Text("Redirect matrix", "bold")), Padding(table, (0, 0, 1, 0))))
    timings = timing_rows(report)
    if timings:
        table = _table()
        for name in ("route", "request", "status", "ttfb", "total"):
            table.add_column(name, overflow="fold", ratio=3 if name == "request" else None)
        for t in timings:
            route = Text(t.route)
            if t.checkout:
                route.append(" (checkout)", "dim")
            status = Text(t.status if not t.error else f"{t.status} {t.error}")
            table.add_row(
                route, Text(f"{t.method} {t.url}"), status, Text(t.ttfb_ms), Text(t.total_ms)
            )
        parts.append(Group(Rule(Text("Route timings", "bold")), Padding(table, (0, 0, 1, 0))))
    certs = tls_rows(report)
    if certs:
        table = _table()
        table.add_column("host", overflow="fold")
        table.add_column("certificate", ratio=3, overflow="fold")
        table.add_column("protocols", ratio=2, overflow="fold")
        for c in certs:
            if not c.ok and not c.subject:
                table.add_row(
                    Text(c.host), Text(f"handshake failed: {c.error}", "bold red"), Text("")
                )
                continue
            cert = Text(f"handshake failed: {c.error}\n" if not c.ok else "", "bold red")
            cert.append(f"{c.subject}\nissued by {c.issuer}\nnames: {c.names}\nexpires {c.expires}")
            if c.key:
                cert.append(f"\nkey {c.key}")
            if c.chain:
                cert.append("\nchain: " + "; ".join(c.chain), "dim")
            protocols = Text(f"{c.protocol}\naccepts {c.accepted or '?'}\nHSTS {c.hsts}")
            table.add_row(Text(c.host), cert, protocols)
        parts.append(Group(Rule(Text("TLS certificates", "bold")), Padding(table, (0, 0, 1, 0))))
    steps = smoke_rows(report)
    if steps:
        lines = [
            Text.assemble((line[:4], "green" if row.ok else "bold red"), line[4:])
            for row, line in zip(steps, smoke_lines(steps), strict=True)
        ]
        parts.append(Group(Rule(Text("Smoke steps", "bold")), Padding(Group(*lines), (0, 0, 1, 0))))
    light = light_lines(report)
    if light:
        body = Group(*(Text(line) for line in light))
        title = "Light traffic (one request at a time, p95 budget 500 ms)"
        parts.append(Group(Rule(Text(title, "bold")), Padding(body, (0, 0, 1, 0))))
    loaded = load_lines(report)
    if loaded:
        body = Group(*(Text(line) for line in loaded))
        parts.append(Group(Rule(Text("Load test", "bold")), Padding(body, (0, 0, 1, 0))))
    red = redteam_lines(report)
    if red:
        body = Group(*(Text(line) for line in red))
        parts.append(Group(Rule(Text("Red team", "bold")), Padding(body, (0, 0, 1, 0))))
    return parts
