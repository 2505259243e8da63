"""The terminal report: what a founder reads right after ``launchready audit``.

It answers "can we launch?" in the first line, then lists the risks worst first, each with
why it matters and the fix in plain words. Everything from the audited servers is passed to
Rich as plain :class:`~rich.text.Text`, never as markup, and with control characters spelled
out: a hostile header must not restyle the report or drive the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from launchready.findings import AttemptStatus, Finding, Report, Severity
from launchready.report.chaosview import chaos_text
from launchready.report.cloudflareview import cloudflare_text
from launchready.report.common import (
    DETAILED,
    SEVERITY_LABELS,
    SEVERITY_MEANING,
    by_severity,
    clean,
    evidence_items,
    human_duration,
    iso_utc,
    not_run_grouped,
    one_line,
    verdict,
)
from launchready.report.dbtext import db_sections
from launchready.report.deployview import deploy_text
from launchready.report.dnsmap import DnsMapName, dns_map_names
from launchready.report.logstext import logs_sections
from launchready.report.plan import LaunchPlan, PlanItem, build_plan
from launchready.report.text_extras import sections
from launchready.report.textblocks import plain_table, section

STYLES: dict[Severity, str] = {
    Severity.BLOCKER: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "bold yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(report: Report, *, color: bool = False, width: int = 100) -> str:
    """The report as terminal text; ANSI styles only when ``color`` is set."""
    console = Console(
        file=StringIO(),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for part in _parts(report):
        console.print(part)
    out = console.file
    assert isinstance(out, StringIO)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def _parts(report: Report) -> list[RenderableType]:
    groups = by_severity(report)
    parts: list[RenderableType] = [_header(report)]
    rank = 0
    for severity in DETAILED:
        if not groups[severity]:
            continue
        heading = f"{SEVERITY_LABELS[severity]} ({len(groups[severity])}): "
        parts.append(Rule(Text(heading + SEVERITY_MEANING[severity], STYLES[severity])))
        for item in groups[severity]:
            rank += 1
            parts.append(_finding(rank, item))
    minor = groups[Severity.LOW] + groups[Severity.INFO]
    if minor:
        parts.append(Rule(Text(f"Low and info ({len(minor)})", "bold")))
        parts.append(_minor(minor, rank))
    names = dns_map_names(report)
    if names:
        parts.append(_dns_map(names))
    parts += sections(report)
    parts += logs_sections(report)
    parts += db_sections(report)
    parts += cloudflare_text(report)
    parts += chaos_text(report)
    parts += deploy_text(report)
    parts.append(_checks(report))
    if report.command == "audit":
        parts.append(_plan(build_plan(report)))
    return parts


def _header(report: Report) -> RenderableType:
    ready = Text("yes", "bold green") if report.ready else Text("no", "bold red")
    counts = Text()
    for severity in Severity:
        count = report.summary[severity.value]
        counts.append(f"{severity.value} {count}", STYLES[severity] if count else "dim")
        counts.append("   ")
    lines = Group(
        Text.assemble(("Ready to launch: ", "bold"), ready),
        Text(verdict(report)),
        counts,
        Text(
            f"{report.command.capitalize()} took {human_duration(report.duration_ms)}, "
            f"started {iso_utc(report.started_at)}, {report.tool.name} {report.tool.version}",
            "dim",
        ),
    )
    title = Text(f"launchready {report.command} of {one_line(report.site)}", "bold")
    return Panel(lines, title=title, title_align="left")


def _finding(rank: int, item: Finding) -> RenderableType:
    head = Text.assemble(
        (f"{rank}. ", "bold"),
        (f" {item.severity.value.upper()} ", STYLES[item.severity]),
        " ",
        (one_line(item.title), "bold"),
    )
    body = [
        _labelled("Target", item.target),
        _labelled(
            "ID",
            f"{item.id} (stage {item.stage.value}, impact "
            f"{', '.join(i.value for i in item.impact)})",
        ),
        _labelled("Why it matters", item.why),
    ]
    evidence = evidence_items(item.evidence)
    if evidence:
        body.append(_labelled("Evidence", "; ".join(f"{k}: {v}" for k, v in evidence)))
    body.append(_labelled("Fix", item.fix))
    body += [_labelled("See", ref) for ref in item.references]
    return Group(head, Padding(Group(*body), (0, 0, 1, 4)))


def _labelled(label: str, value: str) -> Text:
    return Text.assemble((f"{label}: ", "bold"), clean(value))


def _minor(items: list[Finding], rank: int) -> RenderableType:
    table = plain_table()
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("finding", ratio=3)
    table.add_column("id", min_width=max(len(i.id) for i in items))
    for offset, item in enumerate(items, start=1):
        title = one_line(item.title)
        if item.target not in item.title:
            title += f" ({one_line(item.target)})"
        table.add_row(
            str(rank + offset),
            Text(item.severity.value, STYLES[item.severity]),
            Text(f"{title} — fix: {one_line(item.fix)}"),
            Text(item.id),
        )
    return Padding(table, (0, 0, 1, 0))


def _dns_map(names: list[DnsMapName]) -> RenderableType:
    """Name, type and values; the name is printed once, on its first row."""
    table = plain_table()
    table.add_column("name", ratio=2, overflow="fold")
    table.add_column("type", no_wrap=True)
    table.add_column("values", ratio=3, overflow="fold")
    for entry in names:
        for index, row in enumerate(entry.records):
            label = Text()
            if index == 0:
                label.append(entry.name)
                if entry.roles:
                    label.append(f" ({', '.join(entry.roles)})", "dim")
            values = "\n".join(row.values)
            if row.omitted:
                values += f"\n… and {row.omitted} more"
            table.add_row(label, Text(row.rtype), Text(values, "italic dim" if row.note else ""))
    return section("DNS map", table)


def _checks(report: Report) -> RenderableType:
    ran = [c.area for c in report.checks if c.status is AttemptStatus.RAN]
    lines: list[RenderableType] = [Rule(Text("Checks", "bold"))]
    lines.append(_labelled("Ran", ", ".join(ran) if ran else "none"))
    missing = not_run_grouped(report)
    if not missing:
        lines.append(Text("Every selected area ran."))
    for status, reason, areas in missing:
        style = "bold red" if status is AttemptStatus.ERROR else "yellow"
        lines.append(Text.assemble((f"{', '.join(areas)} {status.value}: ", style), clean(reason)))
    return Padding(Group(*lines), (0, 0, 1, 0))


def _plan(plan: LaunchPlan) -> RenderableType:
    lines: list[RenderableType] = [
        Rule(Text("48-hour launch sequence", "bold")),
        Text(plan.headline),
    ]
    for window in plan.windows:
        lines.append(Text(window.title, "bold"))
        lines.append(_plan_items(window.items, window.notes))
    if plan.after_launch:
        lines.append(Text(f"After launch ({len(plan.after_launch)})", "bold"))
        lines.append(_plan_items(plan.after_launch, ()))
    return Group(*lines)


def _plan_items(items: Sequence[PlanItem], notes: Sequence[str]) -> RenderableType:
    """A bulleted list whose wrapped lines stay aligned under their text."""
    grid = Table.grid(padding=(0, 1), pad_edge=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(
            " -",
            Text.assemble(
                (f"[{item.severity.value}] ", STYLES[item.severity]),
                one_line(item.title),
                (f"  ({one_line(item.id)})", "dim"),
            ),
        )
    for note in notes:
        grid.add_row(" >", Text(one_line(note), "italic"))
    if not items and not notes:
        grid.add_row(" -", Text("nothing found for this window", "dim"))
    return grid
