"""GitHub-flavoured Markdown: the report pasted into an issue, a PR or a handover doc.

Markdown passes raw HTML through, and GitHub renders links, emphasis and math from plain
characters, so every value from the audit is escaped: ``<``, ``>`` and ``&`` become
entities and the inline punctuation gets a backslash. A hostile ``<script>`` in evidence is
shown, never run, and a ``|`` in a header cannot break a table.
"""

from __future__ import annotations

import re

from launchready.findings import AttemptStatus, Finding, Report, Severity
from launchready.report.chaosview import chaos_markdown
from launchready.report.cloudflareview import cloudflare_markdown
from launchready.report.common import (
    DETAILED,
    SEVERITY_LABELS,
    SEVERITY_MEANING,
    attempt_reason,
    by_severity,
    evidence_items,
    human_duration,
    iso_utc,
    not_run,
    one_line,
    verdict,
)
from launchready.report.dbview import db_view
from launchready.report.deployview import deploy_markdown
from launchready.report.dnsmap import dns_map_names
from launchready.report.logsview import logs_view
from launchready.report.plan import LaunchPlan, build_plan
from launchready.report.routing import matrix_rows, timing_rows
from launchready.report.tlsview import tls_rows

_PUNCT = re.compile(r"([\\`*_\[\]~|$])")
_LINKABLE = re.compile(r"^https?://[^\s<>()\[\]`]+$")


def md(text: str) -> str:
    """``text`` on one line, safe anywhere in GFM, table cells included."""
    escaped = _PUNCT.sub(r"\\\1", one_line(text))
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str) -> str:
    """A reference as a link when it is a plain http(s) URL; anything else as text."""
    return f"<{url}>" if _LINKABLE.match(url) else md(url)


def render(report: Report) -> str:
    """The report as one Markdown document."""
    lines = [
        f"# launchready {report.command}: {md(report.site)}",
        "",
        f"**{md(verdict(report))}**",
        "",
    ]
    lines += _summary(report)
    lines += _risks(report)
    lines += _dns_map(report)
    lines += _redirect_matrix(report)
    lines += _route_timings(report)
    lines += _tls(report)
    lines += _logs(report)
    lines += _db(report)
    lines += cloudflare_markdown(report)
    lines += chaos_markdown(report)
    lines += deploy_markdown(report)
    lines += _checks(report)
    lines += _plan(build_plan(report))
    return "\n".join(lines).rstrip() + "\n"


def _summary(report: Report) -> list[str]:
    lines = [
        "| Ready to launch | Started (UTC) | Duration | Tool |",
        "|---|---|---|---|",
        f"| {'yes' if report.ready else '**no**'} | {iso_utc(report.started_at)} "
        f"| {human_duration(report.duration_ms)} "
        f"| {md(report.tool.name)} {md(report.tool.version)} |",
        "",
        "| Severity | Count | Meaning |",
        "|---|---:|---|",
    ]
    lines += [
        f"| {SEVERITY_LABELS[s]} | {report.summary[s.value]} | {SEVERITY_MEANING[s]} |"
        for s in Severity
    ]
    return [*lines, ""]


def _risks(report: Report) -> list[str]:
    lines = ["## Risk list", ""]
    if not report.findings:
        return [*lines, "No findings: nothing to fix before launch.", ""]
    groups = by_severity(report)
    rank = 0
    for severity in DETAILED:
        if groups[severity]:
            lines += [f"### {SEVERITY_LABELS[severity]} ({len(groups[severity])})", ""]
        for item in groups[severity]:
            rank += 1
            lines += _finding(rank, item)
    minor = groups[Severity.LOW] + groups[Severity.INFO]
    if minor:
        lines += [
            f"### Low and info ({len(minor)})",
            "",
            "| # | Severity | Finding | Target | ID | Fix |",
            "|---:|---|---|---|---|---|",
        ]
        for offset, item in enumerate(minor, start=1):
            lines.append(
                f"| {rank + offset} | {item.severity.value} | {md(item.title)} | "
                f"{md(item.target)} | {md(item.id)} | {md(item.fix)} |"
            )
        lines.append("")
    return lines


def _finding(rank: int, item: Finding) -> list[str]:
    impact = ", ".join(i.value for i in item.impact)
    lines = [
        f"#### {rank}. {md(item.title)}",
        "",
        f"- **Target:** {md(item.target)}",
        f"- **ID:** {md(item.id)} · stage {item.stage.value} · impact {impact}",
        f"- **Why it matters:** {md(item.why)}",
    ]
    evidence = evidence_items(item.evidence)
    if evidence:
        lines.append("- **Evidence:**")
        lines += [f"  - {md(key)}: {md(value)}" for key, value in evidence]
    lines.append(f"- **Fix:** {md(item.fix)}")
    if item.references:
        lines.append("- **References:** " + ", ".join(link(r) for r in item.references))
    return [*lines, ""]


def _checks(report: Report) -> list[str]:
    ran = [md(c.area) for c in report.checks if c.status is AttemptStatus.RAN]
    lines = ["## Checks", "", f"Ran: {', '.join(ran) if ran else 'none'}.", ""]
    missing = not_run(report)
    if not missing:
        return [*lines, "Every selected area ran.", ""]
    lines += ["Not checked, so this report cannot vouch for them:", ""]
    lines += ["| Area | Status | Reason |", "|---|---|---|"]
    lines += [f"| {md(c.area)} | {c.status.value} | {md(attempt_reason(c))} |" for c in missing]
    return [*lines, ""]


def _plan(plan: LaunchPlan) -> list[str]:
    lines = ["## 48-hour launch sequence", "", md(plan.headline), ""]
    for window in plan.windows:
        lines += [f"### {md(window.title)}", ""]
        lines += [
            f"- [ ] **{item.severity.value}** {md(item.title)} ({md(item.id)})  \n"
            f"  Fix: {md(item.fix)} Verify: `{item.verify}`"
            for item in window.items
        ]
        lines += [f"- [ ] _{md(note)}_" for note in window.notes]
        if not window.items and not window.notes:
            lines.append("Nothing found for this window.")
        lines.append("")
    if plan.after_launch:
        lines += [f"### After launch ({len(plan.after_launch)})", ""]
        lines += [
            f"- [ ] **{item.severity.value}** {md(item.title)} ({md(item.id)})"
            for item in plan.after_launch
        ]
        lines.append("")
    return lines


def _dns_map(report: Report) -> list[str]:
    names = dns_map_names(report)
    if not names:
        return []
    lines = [
        "## DNS map",
        "",
        "What DNS answered for every name the audit judged; names behind a CNAME show "
        "the addresses the chain ends at.",
        "",
        "| Name | Role | Type | Values |",
        "|---|---|---|---|",
    ]
    for entry in names:
        for index, row in enumerate(entry.records):
            name = md(entry.name) if index == 0 else ""
            roles = md(", ".join(entry.roles)) if index == 0 else ""
            values = "<br>".join(md(v) for v in row.values)
            if row.omitted:
                values += f"<br>… and {row.omitted} more"
            text = f"_{values}_" if row.note else values
            lines.append(f"| {name} | {roles} | {md(row.rtype)} | {text} |")
    return [*lines, ""]


def _redirect_matrix(report: Report) -> list[str]:
    rows = matrix_rows(report)
    if not rows:
        return []
    lines = [
        "## Redirect matrix",
        "",
        "Every audited host over http and https, and every planned redirect, followed hop by hop.",
        "",
        "| Source | Expected | Hops | Final | Verdict |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        hops = "<br>".join(md(h) for h in row.hops)
        if row.omitted:
            hops += f"<br>… and {row.omitted} more"
        verdict = md(row.verdict) if row.ok else f"**{md(row.verdict)}**"
        lines.append(
            f"| {md(row.source)} | {md(row.expected)} | {hops} | {md(row.final)} | {verdict} |"
        )
    return [*lines, ""]


def _route_timings(report: Report) -> list[str]:
    rows = timing_rows(report)
    if not rows:
        return []
    lines = [
        "## Route timings",
        "",
        "One request per route, as the manifest describes it.",
        "",
        "| Route | Request | Status | TTFB | Total | Error |",
        "|---|---|---:|---:|---:|---|",
    ]
    for t in rows:
        route = md(t.route) + (" (checkout)" if t.checkout else "")
        lines.append(
            f"| {route} | {md(t.method)} {md(t.url)} | {md(t.status)} | {t.ttfb_ms} "
            f"| {t.total_ms} | {md(t.error)} |"
        )
    return [*lines, ""]


def _tls(report: Report) -> list[str]:
    rows = tls_rows(report)
    if not rows:
        return []
    lines = [
        "## TLS certificates",
        "",
        "| Host | Certificate | Expires | Protocols | HSTS |",
        "|---|---|---|---|---|",
    ]
    for c in rows:
        failed = f"**handshake failed:** {md(c.error)}" if not c.ok else ""
        if not c.ok and not c.subject:
            lines.append(f"| {md(c.host)} | {failed} | | | |")
            continue
        cert = (
            failed + "<br>" if failed else ""
        ) + f"{md(c.subject)}<br>issued by {md(c.issuer)}<br>names: {md(c.names)}"
        if c.key:
            cert += f"<br>key: {md(c.key)}"
        if c.chain:
            cert += "<br>chain: " + "; ".join(md(x) for x in c.chain)
        protocols = f"{md(c.protocol)}<br>accepts: {md(c.accepted or '?')}"
        lines.append(f"| {md(c.host)} | {cert} | {md(c.expires)} | {protocols} | {md(c.hsts)} |")
    return [*lines, ""]


def _db(report: Report) -> list[str]:
    """The hot queries' plans, the heaviest statements and the ``--analyze`` timings."""
    view = db_view(report)
    if view is None:
        return []
    lines = ["## Database: hot queries", "", md(view.summary), ""]
    if view.plans:
        lines += ["| Query | From | Cost | Plan |", "|---|---|---:|---|"]
        lines += [
            f"| {md(p.query)} | {md(p.source)} | {md(p.cost)} | "
            + (f"not planned: {md(p.plan)}" if p.skipped else md(p.plan))
            + " |"
            for p in view.plans
        ]
        lines.append("")
    if view.statements:
        lines += [
            "| Calls | Mean | Total | Share | Top statement |",
            "|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {md(s.calls)} | {md(s.mean)} | {md(s.total)} | {md(s.share)} | {md(s.sql)} |"
            for s in view.statements
        ]
        lines.append("")
    if view.timings:
        lines += ["| Query (EXPLAIN ANALYZE) | Execution |", "|---|---:|"]
        lines += [f"| {md(t.query)} | {md(t.execution)} |" for t in view.timings]
        lines.append("")
    return lines


def _logs(report: Report) -> list[str]:
    """Files, the per-route table, the top error templates and the live header check."""
    view = logs_view(report)
    if view is None:
        return []
    lines = [
        "## Logs: real traffic",
        "",
        md(view.summary),
        "",
        "| File | Format | Lines | Unparsed | Request IDs | Newest | Note |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    lines += [
        f"| {md(f.path)} | {md(f.format)} | {f.lines} | {f.unparsed} | {md(f.request_ids)} "
        f"| {md(f.newest)} | {md(f.note)} |"
        for f in view.files
    ]
    if view.routes:
        lines += [
            "",
            "| Template | Requests | p50 | p95 | p99 | 5xx | Budget | Worst 5 minutes |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in view.routes:
            name = md(r.template) + (f" ({md(r.route)})" if r.route else "")
            p95 = f"**{md(r.p95)}**" if r.over else md(r.p95)
            lines.append(
                f"| {name} | {md(r.requests)} | {md(r.p50)} | {p95} | {md(r.p99)} "
                f"| {md(r.errors)} | {md(r.budget)} | {md(r.worst)} |"
            )
        if view.hidden_routes:
            lines += ["", f"… and {view.hidden_routes} quieter templates."]
    if view.errors:
        lines += [
            "",
            f"Top error templates (of {md(view.error_lines)} error lines):",
            "",
            "| Lines | Share | Template |",
            "|---:|---:|---|",
        ]
        lines += [f"| {md(e.count)} | {md(e.share)} | {md(e.template)} |" for e in view.errors]
    if view.live:
        lines += ["", f"{md(view.header)} on the routes' answers:", ""]
        lines += [
            f"- {'present' if c.present else '**missing**'}: {md(c.route)} {md(c.url)} "
            f"({md(c.answer)})"
            for c in view.live
        ]
    return [*lines, ""]
