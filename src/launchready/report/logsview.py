"""The logs deliverable (``extras["logs"]``) as rows, for the terminal, Markdown and HTML.

Read defensively like the other views: a report may be re-rendered from edited JSON, so an
odd or missing field shows as ``-`` instead of breaking the renderer. The deliverable
holds only templates, counts and redacted stubs (see :mod:`launchready.logs.model`), so
nothing here needs to redact; every value still goes through :func:`shown`, which drops
control characters and shortens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import mappings, percent, shown, shown_ms

DELIVERABLE = "logs"
DASH = "-"


@dataclass(frozen=True)
class RouteRow:
    template: str
    route: str
    requests: str
    p50: str
    p95: str
    p99: str
    errors: str
    budget: str
    over: bool
    worst: str


@dataclass(frozen=True)
class FileRow:
    path: str
    format: str
    lines: str
    unparsed: str
    request_ids: str
    newest: str
    note: str


@dataclass(frozen=True)
class ErrorRow:
    template: str
    count: str
    share: str


@dataclass(frozen=True)
class LiveRow:
    route: str
    url: str
    answer: str
    present: bool


@dataclass(frozen=True)
class LogsView:
    summary: str
    files: tuple[FileRow, ...]
    routes: tuple[RouteRow, ...]
    hidden_routes: int
    errors: tuple[ErrorRow, ...]
    error_lines: str
    live: tuple[LiveRow, ...]
    header: str


def logs_view(report: Report) -> LogsView | None:
    """The deliverable as rows, or None when the report has none."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, Mapping):
        return None
    routes = tuple(_route(r) for r in mappings(raw.get("routes")))
    total = _int(raw.get("templates_total"))
    return LogsView(
        summary=_summary(raw),
        files=tuple(_file(f) for f in mappings(raw.get("files"))),
        routes=routes,
        hidden_routes=max(total - len(routes), 0) if total is not None else 0,
        errors=tuple(
            ErrorRow(
                template=shown(e.get("template"), DASH),
                count=shown(e.get("count"), DASH),
                share=percent(e.get("share")),
            )
            for e in mappings(raw.get("error_templates"))
        ),
        error_lines=shown(raw.get("error_lines"), "0"),
        live=tuple(
            LiveRow(
                route=shown(c.get("route"), DASH),
                url=shown(c.get("url"), DASH),
                answer=shown(c.get("status"), "no answer"),
                present=c.get("present") is True,
            )
            for c in mappings(raw.get("live"))
        ),
        header=shown(raw.get("request_id_header"), "X-Request-ID"),
    )


def _summary(raw: Mapping[str, JSONValue]) -> str:
    since = raw.get("since")
    window = f" since {shown(since)}" if since else ""
    spike = raw.get("spike")
    worst = ""
    if isinstance(spike, Mapping):
        worst = (
            f"; worst 5-minute window {shown(spike.get('start'), DASH)}: "
            f"{percent(spike.get('error_rate'))} 5xx of {shown(spike.get('requests'), DASH)}"
        )
    return (
        f"{shown(raw.get('requests'), '0')} requests{window} from "
        f"{shown(raw.get('first'), DASH)} to {shown(raw.get('last'), DASH)}, "
        f"{shown(raw.get('errors_5xx'), '0')} server errors "
        f"({percent(raw.get('error_rate'))}){worst}"
    )


def _route(row: Mapping[str, JSONValue]) -> RouteRow:
    p95, budget = _number(row.get("p95_ms")), _number(row.get("budget_ms"))
    worst = row.get("worst_window")
    worst_text = DASH
    if isinstance(worst, Mapping):
        worst_text = (
            f"{_clock(worst.get('start'))} {shown(worst.get('errors_5xx'), DASH)}/"
            f"{shown(worst.get('requests'), DASH)} 5xx, p95 {shown_ms(worst.get('p95_ms'))}"
        )
    return RouteRow(
        template=shown(row.get("template"), DASH),
        route=shown(row.get("route"), ""),
        requests=shown(row.get("requests"), DASH),
        p50=shown_ms(row.get("p50_ms")),
        p95=shown_ms(p95),
        p99=shown_ms(row.get("p99_ms")),
        errors=f"{shown(row.get('errors_5xx'), DASH)} ({percent(row.get('error_rate'))})",
        budget=shown_ms(budget),
        over=p95 is not None and budget is not None and p95 > budget,
        worst=worst_text,
    )


def _file(row: Mapping[str, JSONValue]) -> FileRow:
    notes = [
        shown(row.get(key))
        for key in ("error", "skipped")
        if isinstance(row.get(key), str) and row.get(key)
    ]
    examples = [shown(e) for e in _strings(row.get("unparsed_examples"))]
    if examples:
        notes.append("unparsed e.g. " + examples[0])
    fmt = shown(row.get("format"), "unknown")
    if row.get("compressed") is True:
        fmt += ", gzip"
    return FileRow(
        path=shown(row.get("path"), DASH),
        format=fmt,
        lines=shown(row.get("lines"), DASH),
        unparsed=shown(row.get("unparsed"), DASH),
        request_ids=percent(row.get("request_id_coverage")),
        newest=shown(row.get("newest"), DASH),
        note="; ".join(notes),
    )


def _clock(value: JSONValue) -> str:
    """``2026-11-22T15:00:00Z`` -> ``11-22 15:00`` (UTC): a table cell, not a timestamp."""
    if isinstance(value, str) and len(value) >= 16 and value[10] == "T":
        return f"{value[5:10]} {value[11:16]}"
    return shown(value, DASH)


def _strings(value: JSONValue) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _number(value: JSONValue) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: JSONValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


__all__ = [
    "DELIVERABLE",
    "ErrorRow",
    "FileRow",
    "LiveRow",
    "LogsView",
    "RouteRow",
    "logs_view",
]
