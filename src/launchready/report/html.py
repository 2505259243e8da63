"""One self-contained HTML file a founder can open offline, mail, or attach to a ticket.

Inline CSS and an inline SVG chart, no script, no external resource: the page must work on
a plane and must not phone home. Autoescaping is on and a Content-Security-Policy forbids
scripts, because evidence is text from servers that may be hostile; links are only made
from http(s) references, so a ``javascript:`` reference in an edited report stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment

from launchready.findings import AttemptStatus, Finding, Report, Severity
from launchready.report.chaosview import chaos_view
from launchready.report.cloudflareview import cloudflare_view
from launchready.report.common import (
    SEVERITY_LABELS,
    SEVERITY_MEANING,
    attempt_reason,
    evidence_items,
    human_duration,
    iso_utc,
    not_run,
    ordered,
    verdict,
)
from launchready.report.dbview import db_view
from launchready.report.deployview import deploy_view
from launchready.report.dnsmap import dns_map_names
from launchready.report.logscharts import logs_charts
from launchready.report.logsview import logs_view
from launchready.report.perfcharts import HEIGHT, PAD, WIDTH, lighthouse_rows, load_section
from launchready.report.plan import build_plan
from launchready.report.routing import matrix_rows, timing_rows
from launchready.report.tlsview import tls_rows
from launchready.templating import html_environment

COLORS: dict[Severity, str] = {
    Severity.BLOCKER: "#b3261e",
    Severity.HIGH: "#e8590c",
    Severity.MEDIUM: "#c99a06",
    Severity.LOW: "#1c7ed6",
    Severity.INFO: "#868e96",
}
_HTTP_URL = re.compile(r"^https?://[^\s\"'<>`]+$")
_BAR_WIDTH = 260


@dataclass(frozen=True)
class Bar:
    """One bar of the severity chart, geometry computed here so the template stays dumb."""

    label: str
    count: int
    y: int
    width: int
    color: str


@dataclass(frozen=True)
class Reference:
    url: str
    linkable: bool


@cache
def _environment() -> Environment:
    return html_environment("launchready.report")


def render(report: Report) -> str:
    """The report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(**context(report))


def context(report: Report) -> dict[str, Any]:
    """Everything the template shows, precomputed (the handover page can reuse it)."""
    findings = ordered(report)
    return {
        "report": report,
        "verdict": verdict(report),
        "started": iso_utc(report.started_at),
        "duration": human_duration(report.duration_ms),
        "severities": [
            {
                "value": s.value,
                "label": SEVERITY_LABELS[s],
                "meaning": SEVERITY_MEANING[s],
                "count": report.summary[s.value],
                "color": COLORS[s],
            }
            for s in Severity
        ],
        "bars": _bars(report),
        "findings": [_finding(rank, f) for rank, f in enumerate(findings, start=1)],
        "ran": [c.area for c in report.checks if c.status is AttemptStatus.RAN],
        "not_run": [
            {"area": c.area, "status": c.status.value, "reason": attempt_reason(c)}
            for c in not_run(report)
        ],
        "dns_map": dns_map_names(report),
        "redirect_matrix": matrix_rows(report),
        "route_timings": timing_rows(report),
        "tls_rows": tls_rows(report),
        "load_note": load_section(report)[0],
        "load_charts": load_section(report)[1],
        "chart": {"width": WIDTH, "height": HEIGHT, "pad": PAD},
        "lighthouse": lighthouse_rows(report),
        "logs": logs_view(report),
        "db": db_view(report),
        "cloudflare": cloudflare_view(report),
        "chaos": chaos_view(report),
        "deploy": deploy_view(report),
        "logs_note": logs_charts(report)[0],
        "logs_charts": logs_charts(report)[1],
        "plan": build_plan(report),
        "colors": {s.value: COLORS[s] for s in Severity},
    }


def _bars(report: Report) -> list[Bar]:
    counts = report.summary
    top = max(counts.values(), default=0) or 1
    return [
        Bar(
            label=SEVERITY_LABELS[s],
            count=counts[s.value],
            y=index * 22,
            width=round(_BAR_WIDTH * counts[s.value] / top),
            color=COLORS[s],
        )
        for index, s in enumerate(Severity)
    ]


def _finding(rank: int, item: Finding) -> dict[str, Any]:
    return {
        "rank": rank,
        "id": item.id,
        "severity": item.severity.value,
        "label": SEVERITY_LABELS[item.severity],
        "title": item.title,
        "target": item.target,
        "stage": item.stage.value,
        "impact": ", ".join(i.value for i in item.impact),
        "why": item.why,
        "evidence": evidence_items(item.evidence),
        "fix": item.fix,
        "references": [Reference(r, bool(_HTTP_URL.match(r))) for r in item.references],
        "fingerprint": item.fingerprint,
    }
