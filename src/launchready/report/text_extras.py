"""Terminal tables for the routing and TLS deliverables, kept out of ``text.py`` so that
module stays about the risk list; every value reaches Rich as plain Text, never markup."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from launchready.findings import Report
from launchready.report.perfview import light_lines, load_lines
from launchready.report.redteamview import redteam_lines
from launchready.report.routing import matrix_rows, timing_rows
from launchready.report.smokeview import smoke_lines, smoke_rows
from launchready.report.textblocks import plain_table, section
from launchready.report.tlsview import tls_rows


def sections(report: Report) -> list[RenderableType]:
    """The redirect matrix, route timings, TLS certificates and smoke steps, each only when
    delivered."""
    parts: list[RenderableType] = []
    rows = matrix_rows(report)
    if rows:
        table = plain_table()
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
        parts.append(section("Redirect matrix", table))
    timings = timing_rows(report)
    if timings:
        table = plain_table()
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
        parts.append(section("Route timings", table))
    certs = tls_rows(report)
    if certs:
        table = plain_table()
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
        parts.append(section("TLS certificates", table))
    steps = smoke_rows(report)
    if steps:
        lines = [
            Text.assemble((line[:4], "green" if row.ok else "bold red"), line[4:])
            for row, line in zip(steps, smoke_lines(steps), strict=True)
        ]
        parts.append(section("Smoke steps", *lines))
    light = light_lines(report)
    if light:
        title = "Light traffic (one request at a time, p95 budget 500 ms)"
        parts.append(section(title, *map(Text, light)))
    loaded = load_lines(report)
    if loaded:
        parts.append(section("Load test", *map(Text, loaded)))
    red = redteam_lines(report)
    if red:
        parts.append(section("Red team", *map(Text, red)))
    return parts
