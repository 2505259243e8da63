"""Chart geometry for the HTML report's logs section: per route, p95 latency and server
errors over time, on one time axis for all routes so a spike lines up across them.

As in :mod:`launchready.report.perfcharts`, everything is computed here as numbers and
short strings and the template only draws inline SVG: no script, no chart library,
nothing fetched, so the report works offline. The timeline comes from a report that may
have been edited, so every point is checked before it is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise

from launchready.findings import JSONValue, Report
from launchready.report.common import percent, shown, shown_ms
from launchready.report.logsview import DELIVERABLE
from launchready.report.perfcharts import HEIGHT, PAD, WIDTH, Bar, Tick

Point = tuple[float, int, int, float | None]


@dataclass(frozen=True)
class LogsRouteCharts:
    template: str
    summary: str
    over_budget: bool
    p95_points: str
    budget_y: float | None
    latency_ticks: tuple[Tick, ...]
    time_ticks: tuple[Tick, ...]
    error_bars: tuple[Bar, ...]
    error_ticks: tuple[Tick, ...]


def logs_charts(report: Report) -> tuple[str, list[LogsRouteCharts]]:
    """A sentence on the bucket size and one pair of charts per charted route."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, Mapping):
        return "", []
    rows = [r for r in raw.get("routes") or [] if isinstance(r, Mapping)]
    series = {id(r): _points(r.get("timeline")) for r in rows}
    starts = [p[0] for points in series.values() for p in points]
    if not starts:
        return "", []
    lo, hi = min(starts), max(starts)
    bucket = raw.get("bucket_s")
    note = f"one point per {_bucket_text(bucket)} (UTC)" if isinstance(bucket, int) else ""
    charts = [_route(r, series[id(r)], lo, hi) for r in rows if series[id(r)]]
    return note, charts


def _points(raw: JSONValue) -> list[Point]:
    points: list[Point] = []
    for item in raw if isinstance(raw, list) else []:
        if not (isinstance(item, list) and len(item) == 4):
            continue
        start, requests, errors, p95 = item
        if _number(start) is None or not isinstance(requests, int) or not isinstance(errors, int):
            continue
        points.append((float(start), requests, errors, _number(p95)))
    return points


def _route(
    row: Mapping[str, JSONValue], points: list[Point], lo: float, hi: float
) -> LogsRouteCharts:
    span = max(hi - lo, 1.0)
    budget = _number(row.get("budget_ms"))
    p95 = _number(row.get("p95_ms"))
    top = max([budget or 0.0, *(p[3] for p in points if p[3] is not None), 1.0]) * 1.1
    most = max([p[2] for p in points] + [1])
    plot = WIDTH - PAD - 6
    slot = max(plot * _bucket_share(points, span), 2.0)

    def x(ms: float) -> float:
        return round(PAD + plot * (ms - lo) / span, 1)

    def y(value: float, scale: float) -> float:
        return round(HEIGHT - 18 - (HEIGHT - 28) * value / scale, 1)

    bars = tuple(
        Bar(
            x=x(start),
            y=y(errors, most),
            width=round(slot, 1),
            height=round((HEIGHT - 28) * errors / most, 1),
            title=f"{_clock(start)}: {errors} of {requests} requests failed (5xx)",
        )
        for start, requests, errors, _ in points
        if errors
    )
    summary = (
        f"{shown(row.get('requests'), '-')} requests, p50 {shown_ms(row.get('p50_ms'))}, "
        f"p95 {shown_ms(p95)}, p99 {shown_ms(row.get('p99_ms'))}, budget {shown_ms(budget)}; "
        f"{shown(row.get('errors_5xx'), '0')} server errors ({percent(row.get('error_rate'))})"
    )
    times = (lo, lo + span / 2, hi)
    return LogsRouteCharts(
        template=shown(row.get("template"), "-"),
        summary=summary,
        over_budget=p95 is not None and budget is not None and p95 > budget,
        p95_points=" ".join(f"{x(s)},{y(v, top)}" for s, _, _, v in points if v is not None),
        budget_y=y(budget, top) if budget is not None else None,
        latency_ticks=tuple(Tick(y(v, top), f"{v:.0f}") for v in (0, top / 2, top / 1.1)),
        time_ticks=tuple(Tick(x(t), _clock(t)) for t in times),
        error_bars=bars,
        error_ticks=tuple(Tick(y(v, most), f"{v:.0f}") for v in (0, most)),
    )


def _bucket_share(points: list[Point], span: float) -> float:
    """The width of one bucket as a share of the axis (bars never overlap)."""
    starts = sorted({p[0] for p in points})
    gaps = [b - a for a, b in pairwise(starts) if b > a]
    return min(gaps or [span]) / span * 0.8 if span else 0.05


def _clock(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%m-%d %H:%M")


def _bucket_text(seconds: int) -> str:
    if seconds % 86_400 == 0:
        return f"{seconds // 86_400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def _number(value: JSONValue) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


__all__ = ["LogsRouteCharts", "logs_charts"]
