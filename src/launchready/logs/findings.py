"""The ``logs.*`` findings of checks.md, from a :class:`~launchready.logs.model.LogAnalysis`.

The same function serves ``launchready audit`` and ``launchready logs``, so the two can
never disagree about the same files. Fingerprints name the setting, file, template or
route and the kind of problem, never a count, a time or a line number, so a baseline
survives the next day's traffic.
"""

from __future__ import annotations

from launchready.catalog import finding
from launchready.findings import Finding, JSONValue
from launchready.logs.model import LogAnalysis, SourceReport, iso
from launchready.logs.requestid import COVERAGE_GOAL
from launchready.logs.stats import OVERALL_RATE, SPIKE_RATE
from launchready.secrets.report import match_findings

STALE_AFTER_MS = 24 * 3_600_000
SLOW_MIN_REQUESTS = 50
"""checks.md: a p95 judged on fewer than 50 requests is noise."""
NOISY_SHARE = 0.5
NOISY_MIN_LINES = 10
"""A template is only "noisy" among at least this many error lines: two lines, one of
them repeated, are not a log drowning in one message."""
FILES_IN_EVIDENCE = 5


def not_configured(reason: str) -> Finding:
    """``logs.not-configured``: the manifest gives the audit no log to read."""
    return finding("logs.not-configured", target="logs", evidence={"reason": reason})


def analysis_findings(analysis: LogAnalysis) -> list[Finding]:
    """Every ``logs.*`` finding the analysis supports (not-configured aside)."""
    return (
        unreadable(analysis)
        + stale(analysis)
        + slow_endpoints(analysis)
        + error_spike(analysis)
        + exposed(analysis)
        + request_ids(analysis)
        + noisy_error(analysis)
    )


def unreadable(analysis: LogAnalysis) -> list[Finding]:
    """A setting that names no file, a file that cannot be read, a setting whose files
    hold lines of which none parses."""
    found: list[Finding] = []
    for source in analysis.sources:
        if source.problem is not None:
            found.append(_unreadable(source.spec, source, source.problem))
            continue
        for file in source.files:
            if file.error is not None:
                found.append(_unreadable(file.path, source, file.error))
        if source.lines and not source.parsed:
            examples = [e for f in source.files for e in f.unparsed_examples][:2]
            found.append(
                _unreadable(
                    source.spec,
                    source,
                    "no line parses as nginx/Apache combined, Caddy JSON, JSON lines or "
                    "a plain-text log with times or levels",
                    {"lines": source.lines, "examples": list(examples)},
                )
            )
    return found


def _unreadable(
    target: str,
    source: SourceReport,
    problem: str,
    extra: dict[str, JSONValue] | None = None,
) -> Finding:
    evidence: dict[str, JSONValue] = {"setting": _setting(source), "problem": problem}
    evidence.update(extra or {})
    return finding(
        "logs.unreadable", target=target, evidence=evidence, fingerprint_keys=("problem",)
    )


def _setting(source: SourceReport) -> str:
    return {"access": "logs.access", "app": "logs.app"}.get(source.kind, "PATH")


def stale(analysis: LogAnalysis) -> list[Finding]:
    """A setting whose newest line is more than a day old. A file with no time at all is
    judged by when it was last written, which says the same thing about logging."""
    now_ms = round(analysis.options.now.timestamp() * 1000)
    found: list[Finding] = []
    for source in analysis.sources:
        readable = [f for f in source.files if f.error is None]
        if source.problem is not None or not readable:
            continue
        newest = source.newest_ms
        basis = "newest line"
        if newest is None:
            newest, basis = max(f.mtime_ms for f in readable), "file last written"
        if now_ms - newest <= STALE_AFTER_MS:
            continue
        found.append(
            finding(
                "logs.stale",
                target=source.spec,
                evidence={
                    "setting": _setting(source),
                    "newest": iso(newest),
                    "basis": basis,
                    "age_hours": round((now_ms - newest) / 3_600_000, 1),
                },
                fingerprint_keys=("setting",),
            )
        )
    return found


def slow_endpoints(analysis: LogAnalysis) -> list[Finding]:
    """Templates whose p95 (over at least 50 timed requests) exceeds their budget."""
    found: list[Finding] = []
    routes = analysis.route_map
    for stats in analysis.traffic.routes:
        budget = routes.budget_ms(stats.key)
        if stats.timed < SLOW_MIN_REQUESTS or stats.p95_ms is None or stats.p95_ms <= budget:
            continue
        route = routes.route(stats.key)
        found.append(
            finding(
                "logs.slow-endpoint",
                target=stats.key,
                evidence={
                    "template": stats.key,
                    **({"route": route.name} if route is not None else {}),
                    "requests": stats.requests,
                    "p50_ms": stats.p50_ms,
                    "p95_ms": stats.p95_ms,
                    "p99_ms": stats.p99_ms,
                    "budget_ms": budget,
                },
                checkout=route is not None and route.checkout,
                fingerprint_keys=("template", "budget_ms"),
            )
        )
    return found


def error_spike(analysis: LogAnalysis) -> list[Finding]:
    """5xx above 1 % of all requests, or a 5-minute window of 20+ requests and 5 % 5xx.
    One finding, on the template that served most of the errors."""
    traffic = analysis.traffic
    overall = traffic.requests > 0 and traffic.error_rate > OVERALL_RATE
    spike = (
        traffic.spike
        if traffic.spike is not None and traffic.spike.error_rate >= SPIKE_RATE
        else None
    )
    if not overall and spike is None:
        return []
    target = (spike.top_key if spike is not None and not overall else None) or traffic.top_error_key
    route = analysis.route_map.route(target) if target else None
    evidence: dict[str, JSONValue] = {
        "rule": "overall" if spike is None else "window" if not overall else "overall and window",
        "requests": traffic.requests,
        "errors_5xx": traffic.errors,
        "error_rate": round(traffic.error_rate, 4),
    }
    if spike is not None:
        evidence["window"] = {
            "start": iso(spike.start_ms),
            "end": iso(spike.end_ms),
            "requests": spike.requests,
            "errors_5xx": spike.errors,
            "error_rate": round(spike.error_rate, 4),
            "top_template": spike.top_key,
        }
    return [
        finding(
            "logs.error-spike",
            target=target or "all requests",
            evidence=evidence,
            checkout=route is not None and route.checkout,
            fingerprint_keys=(),
        )
    ]


def exposed(analysis: LogAnalysis) -> list[Finding]:
    """Credentials (through the secret engine's one door to findings) and customer data,
    per file; evidence holds redacted stubs only."""
    matches = [m for f in analysis.files for m in f.exposure.secrets.values()]
    found = match_findings("logs.secret-exposed", matches)
    for file in analysis.files:
        for kind, hit in file.exposure.pii.items():
            found.append(
                finding(
                    "logs.pii-exposed",
                    target=file.path,
                    evidence={
                        "kind": kind,
                        "count": hit.count,
                        "line": hit.first_line,
                        "example": hit.example,
                    },
                    fingerprint_keys=("kind",),
                )
            )
    return found


def request_ids(analysis: LogAnalysis) -> list[Finding]:
    """Settings where under 90 % of records carry a request ID, and routes whose live
    answer lacks the header."""
    header = analysis.live_header or analysis.options.request_id or "X-Request-ID"
    found: list[Finding] = []
    for source in analysis.sources:
        coverage = source.coverage
        if coverage is None or coverage >= COVERAGE_GOAL:
            continue
        low = [
            {"path": f.path, "coverage": round(f.coverage, 4)}
            for f in source.files
            if f.coverage is not None and f.coverage < COVERAGE_GOAL
        ]
        found.append(
            finding(
                "logs.no-request-id",
                target=source.spec,
                evidence={
                    "setting": _setting(source),
                    "header": header,
                    "coverage": round(coverage, 4),
                    "records": sum(f.in_window for f in source.files),
                    "with_request_id": sum(f.with_id for f in source.files),
                    "files": low[:FILES_IN_EVIDENCE],
                },
                fingerprint_keys=("setting", "header"),
            )
        )
    for check in analysis.live:
        if check.status is None or check.present:
            continue
        found.append(
            finding(
                "logs.no-request-id",
                target=check.url,
                evidence={
                    "route": check.route,
                    "method": check.method,
                    "header": header,
                    "status": check.status,
                    "problem": f"the response has no {header} header",
                },
                checkout=check.checkout,
                fingerprint_keys=("route", "header"),
            )
        )
    return found


def noisy_error(analysis: LogAnalysis) -> list[Finding]:
    """One template over half of at least ten error lines."""
    if analysis.error_lines < NOISY_MIN_LINES or not analysis.errors:
        return []
    top = analysis.errors[0]
    share = top.count / analysis.error_lines
    if share <= NOISY_SHARE:
        return []
    source = next(iter(top.sources), "logs")
    return [
        finding(
            "logs.noisy-error",
            target=source,
            evidence={
                "template": top.template,
                "count": top.count,
                "error_lines": analysis.error_lines,
                "share": round(share, 4),
            },
            fingerprint_keys=("template",),
        )
    ]


__all__ = [
    "analysis_findings",
    "error_spike",
    "exposed",
    "noisy_error",
    "not_configured",
    "request_ids",
    "slow_endpoints",
    "stale",
    "unreadable",
]
