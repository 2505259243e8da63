"""The dashboard and the public status page: the overview drawn as HTML.

Server-rendered with inline SVG charts and no script, so the pages work offline, behind
a strict Content-Security-Policy, and in any browser; they refresh themselves with a meta
refresh. The status page is for shoppers: names and states only, never a target URL,
a condition, a region or anything with a token in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from jinja2 import Environment

from launchready.monitor.message import human
from launchready.monitor.overview import UPTIME_TARGET, Bucket, CheckView, Overview
from launchready.templating import html_environment

CHART_W, CHART_H, CHART_PAD = 240, 64, 4
PUBLIC_KINDS = frozenset({"http", "chatbot"})


@dataclass(frozen=True)
class Line:
    """One polyline of a chart in SVG coordinates, with its scale's labels."""

    points: str
    top: str
    span: str
    limit_y: float | None = None


@cache
def _environment() -> Environment:
    filters: dict[str, Callable[..., Any]] = {
        "when": _when,
        "ago": _ago,
        "percent": _percent,
        "human": human,
    }
    return html_environment("launchready.monitor", filters)


def dashboard(view: Overview, site: str, refresh_s: int, budgets: dict[str, float]) -> str:
    """The operators' page: everything, including why each check failed."""
    rows = [
        {
            "check": check,
            "latency": latency_line(check.buckets, budgets.get(check.name)),
            "errors": error_line(check.buckets),
        }
        for check in view.checks
    ]
    return (
        _environment()
        .get_template("dashboard.html.j2")
        .render(
            view=view,
            site=site,
            rows=rows,
            refresh_s=refresh_s,
            target=UPTIME_TARGET,
            chart={"w": CHART_W, "h": CHART_H},
            windows=("24h", "7d", "30d"),
        )
    )


def status_page(view: Overview, site: str, refresh_s: int) -> str:
    """The shoppers' page: is the store working, and how has it been."""
    public = [c for c in view.checks if c.kind in PUBLIC_KINDS]
    names = {c.name for c in public}
    incidents = [i for i in view.incidents if i.check in names][:10]
    down = [c for c in public if c.status == "down"]
    return (
        _environment()
        .get_template("status.html.j2")
        .render(
            site=site,
            at=view.at,
            checks=public,
            incidents=incidents,
            headline="All systems operational"
            if not down
            else f"{len(down)} of {len(public)} down",
            healthy=not down,
            refresh_s=refresh_s,
        )
    )


def latency_line(buckets: Sequence[Bucket], budget_ms: float | None) -> Line:
    values = [b.p95_ms for b in buckets]
    top = max([v for v in values if v is not None] + [budget_ms or 0.0, 1.0]) * 1.1
    limit = _y(budget_ms / top) if budget_ms else None
    return Line(
        _points(buckets, [None if v is None else v / top for v in values]),
        f"{top / 1.1:.0f} ms",
        _span(buckets),
        limit,
    )


def error_line(buckets: Sequence[Bucket]) -> Line:
    values: list[float | None] = [b.error_rate for b in buckets]
    return Line(_points(buckets, values), "100%", _span(buckets))


def _points(buckets: Sequence[Bucket], fractions: Sequence[float | None]) -> str:
    if not buckets:
        return ""
    first, last = buckets[0].start, buckets[-1].start
    width = (last - first).total_seconds() or 1.0
    return " ".join(
        f"{_x((b.start - first).total_seconds() / width)},{_y(f)}"
        for b, f in zip(buckets, fractions, strict=True)
        if f is not None
    )


def _x(fraction: float) -> float:
    return round(CHART_PAD + (CHART_W - 2 * CHART_PAD) * fraction, 1)


def _y(fraction: float) -> float:
    return round(CHART_H - CHART_PAD - (CHART_H - 2 * CHART_PAD) * fraction, 1)


def _span(buckets: Sequence[Bucket]) -> str:
    if len(buckets) < 2:
        return ""
    return "last " + human(buckets[-1].start - buckets[0].start)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def _ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "never"
    return human(max(now - value, timedelta(0))) + " ago"


def _percent(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}%".replace(".000%", "%")


__all__ = ["CheckView", "dashboard", "status_page"]
