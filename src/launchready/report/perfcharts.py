"""Chart geometry for the HTML report's speed sections: latency over time and a latency
histogram per load-tested route, and the Lighthouse table.

Everything is computed here as numbers and short strings, so the template only draws
SVG: no chart library, no script, nothing fetched (the report must work offline). Values
come from a report that may have been edited by hand, so each is read defensively.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import shown, shown_ms

WIDTH, HEIGHT, PAD = 460, 140, 34
DASH = "-"
"""What a missing value shows as."""


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class RouteCharts:
    route: str
    summary: str
    over_budget: bool
    p50_points: str
    p95_points: str
    budget_y: float | None
    time_ticks: tuple[Tick, ...]
    latency_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    bar_ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class LighthouseRow:
    url: str
    score: str
    below: bool
    opportunities: tuple[str, ...]
    error: str


def load_section(report: Report) -> tuple[str, list[RouteCharts]]:
    """The load model sentence and one pair of charts per route."""
    raw = report.extras.get("load")
    if not isinstance(raw, Mapping):
        return "", []
    charts = [_route(r) for r in raw.get("routes") or [] if isinstance(r, Mapping)]
    return shown(raw.get("model_note"), DASH), [c for c in charts if c is not None]


def _route(row: Mapping[str, JSONValue]) -> RouteCharts | None:
    name = row.get("route")
    if not isinstance(name, str):
        return None
    budget = _number(row.get("budget_ms"))
    p95 = _number(row.get("p95_ms"))
    timeline = [
        (t[0], t[1], t[2])
        for t in row.get("timeline") or []
        if isinstance(t, list) and len(t) == 3 and all(_number(v) is not None for v in t)
    ]
    top = max([budget or 0, *(float(t[2]) for t in timeline), 1.0]) * 1.1
    span = max([float(t[0]) for t in timeline] or [1.0]) or 1.0

    def x(second: float) -> float:
        return round(PAD + (WIDTH - PAD - 6) * second / span, 1)

    def y(ms: float) -> float:
        return round(HEIGHT - 18 - (HEIGHT - 28) * ms / top, 1)

    summary = (
        f"{shown(row.get('requests'), DASH)} requests, "
        f"{shown(row.get('failures'), DASH)} failed; "
        f"p50 {shown_ms(row.get('p50_ms'))}, p95 {shown_ms(p95)}, "
        f"p99 {shown_ms(row.get('p99_ms'))}, budget {shown_ms(budget)}"
    )
    bars, bar_ticks = _histogram(row.get("histogram"))
    return RouteCharts(
        route=shown(name),
        summary=summary,
        over_budget=p95 is not None and budget is not None and p95 > budget,
        p50_points=" ".join(f"{x(float(s))},{y(float(a))}" for s, a, _ in timeline),
        p95_points=" ".join(f"{x(float(s))},{y(float(b))}" for s, _, b in timeline),
        budget_y=y(budget) if budget is not None else None,
        time_ticks=tuple(Tick(x(s), f"{s:g}s") for s in (0, span / 2, span)),
        latency_ticks=tuple(Tick(y(v), f"{v:.0f}") for v in (0, top / 2, top / 1.1)),
        bars=bars,
        bar_ticks=bar_ticks,
    )


def _histogram(raw: JSONValue) -> tuple[tuple[Bar, ...], tuple[Tick, ...]]:
    buckets = (
        [
            (float(b[0]), int(b[1]))
            for b in raw or []
            if isinstance(b, list)
            and len(b) == 2
            and _number(b[0]) is not None
            and isinstance(b[1], int)
        ]
        if isinstance(raw, list)
        else []
    )
    if not buckets:
        return (), ()
    most = max(n for _, n in buckets) or 1
    slot = (WIDTH - PAD - 6) / len(buckets)
    bars = tuple(
        Bar(
            x=round(PAD + i * slot, 1),
            y=round(HEIGHT - 18 - (HEIGHT - 28) * n / most, 1),
            width=round(max(slot - 1, 1), 1),
            height=round((HEIGHT - 28) * n / most, 1),
            title=f"up to {upper:g} ms: {n} requests",
        )
        for i, (upper, n) in enumerate(buckets)
    )
    ticks = tuple(
        Tick(round(PAD + (i + 1) * slot, 1), f"{buckets[i][0]:.0f}")
        for i in (0, len(buckets) // 2, len(buckets) - 1)
    )
    return bars, ticks


def lighthouse_rows(report: Report) -> list[LighthouseRow]:
    raw = report.extras.get("lighthouse")
    if not isinstance(raw, Mapping):
        return []
    rows = []
    for page in raw.get("pages") or []:
        if not isinstance(page, Mapping):
            continue
        score = _number(page.get("score"))
        found = page.get("opportunities")
        opportunities: Sequence[JSONValue] = found if isinstance(found, list) else []
        rows.append(
            LighthouseRow(
                url=shown(page.get("url"), DASH),
                score=f"{score:.0f}" if score is not None else "-",
                below=score is not None and score < 80,
                opportunities=tuple(_opportunity(o) for o in opportunities[:3]),
                error=shown(page.get("error"), DASH) if page.get("error") else "",
            )
        )
    return rows


def _opportunity(value: JSONValue) -> str:
    if isinstance(value, Mapping):
        savings = _number(value.get("savings_ms"))
        saves = f" (saves {savings / 1000:.1f} s)" if savings is not None else ""
        return shown(value.get("title"), DASH) + saves
    return shown(value, DASH)


def _number(value: JSONValue) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
