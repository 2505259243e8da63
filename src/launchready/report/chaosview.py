"""The chaos deliverable (``extras["chaos"]``) for the terminal, Markdown and HTML: per
dependency, a route x fault table (status and time of each answer) and, in HTML, a bar
chart of those times drawn as inline SVG (offline, no script).

Read defensively like the other views: the report may have been edited by hand, so every
value is checked before it is shown or drawn. Nothing here redacts; the command did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text

from launchready.findings import JSONValue, Report
from launchready.report.common import mappings, shown
from launchready.report.perfcharts import HEIGHT, PAD, WIDTH
from launchready.report.textblocks import plain_table, section, spaced

DELIVERABLE = "chaos"
DASH = "-"
COLORS = {
    "baseline": "#4c78a8",
    "cache": "#72b7b2",
    "latency": "#f58518",
    "hang": "#e45756",
    "refuse": "#b279a2",
}
OTHER_COLOR = "#888888"


@dataclass(frozen=True)
class Cell:
    text: str
    bad: bool


@dataclass(frozen=True)
class Row:
    target: str
    cells: tuple[Cell, ...]
    baseline_failed: bool


@dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class ChartLabel:
    x: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: str


@dataclass(frozen=True)
class DependencyView:
    name: str
    summary: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]
    bars: tuple[ChartBar, ...]
    labels: tuple[ChartLabel, ...]
    legend: tuple[LegendItem, ...]
    top_label: str


@dataclass(frozen=True)
class ChaosView:
    summary: str
    dependencies: tuple[DependencyView, ...]


def chaos_view(report: Report) -> ChaosView | None:
    """What the HTML template ``chaos.html.j2`` shows, or None when there is nothing."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, Mapping):
        return None
    cap = _number(raw.get("cap_s"))
    deps = tuple(_dependency(d, cap) for d in mappings(raw.get("dependencies")))
    summary = (
        f"Staging store {shown(raw.get('base_url'), '?')}: each fault held for at most "
        f"{_seconds(cap)} per request, latency {_seconds(_number(raw.get('latency_s')))}."
    )
    return ChaosView(summary, deps)


def _dependency(raw: Mapping[str, JSONValue], cap: float | None) -> DependencyView:
    experiments = mappings(raw.get("experiments"))
    columns = tuple(shown(e.get("label") or e.get("fault"), DASH) for e in experiments)
    names = [shown(t) for t in raw.get("targets") or [] if isinstance(t, str)]
    results = [{shown(r.get("target")): r for r in mappings(e.get("results"))} for e in experiments]
    failed = {shown(f.get("target")) for f in mappings(raw.get("baseline_failures"))}
    rows = tuple(
        Row(name, tuple(_cell(by_target.get(name)) for by_target in results), name in failed)
        for name in names
    )
    first = results[0] if results else {}
    notes = tuple(
        f"{name} already fails without any fault ({_cell(first.get(name)).text}): "
        "not blamed on the dependency"
        for name in names
        if name in failed
    )
    flags = [
        word
        for word, on in (("awaited", raw.get("awaited")), ("cacheable", raw.get("cacheable")))
        if on is True
    ]
    summary = f"{shown(raw.get('listen'), '?')} → {shown(raw.get('upstream'), '?')}" + (
        f" ({', '.join(flags)})" if flags else ""
    )
    bars, labels, legend, top = _chart(experiments, results, names, cap)
    return DependencyView(
        shown(raw.get("name"), "?"), summary, columns, rows, notes, bars, labels, legend, top
    )


def _cell(result: Mapping[str, JSONValue] | None) -> Cell:
    if result is None:
        return Cell(DASH, False)
    verdict = shown(result.get("verdict"), "?")
    status = result.get("status")
    elapsed = _number(result.get("elapsed_ms"))
    when = f"{elapsed / 1000:.2f} s" if elapsed is not None else DASH
    head = str(status) if isinstance(status, int) and not isinstance(status, bool) else verdict
    extra = " (reached again)" if result.get("reached") is True else ""
    return Cell(f"{head} · {when}{extra}", verdict != "ok" or bool(extra))


def _chart(
    experiments: list[Mapping[str, JSONValue]],
    results: list[dict[str, Mapping[str, JSONValue]]],
    names: list[str],
    cap: float | None,
) -> tuple[tuple[ChartBar, ...], tuple[ChartLabel, ...], tuple[LegendItem, ...], str]:
    """Grouped bars: one group per route, one bar per experiment, height = time to answer."""
    times = [
        _number(r.get("elapsed_ms")) or 0.0 for by_target in results for r in by_target.values()
    ]
    top = max([*times, (cap or 0) * 1000, 1.0])
    faults = [shown(e.get("fault"), "?") for e in experiments]
    columns = [shown(e.get("label"), "?") for e in experiments]
    plot_w, plot_h = WIDTH - PAD - 6, HEIGHT - 24
    group_w = plot_w / max(len(names), 1)
    bar_w = max(2.0, (group_w - 8) / max(len(faults), 1))
    bars: list[ChartBar] = []
    labels: list[ChartLabel] = []
    for gi, name in enumerate(names):
        x0 = PAD + gi * group_w + 4
        labels.append(ChartLabel(round(x0, 1), name))
        for fi, by_target in enumerate(results):
            result = by_target.get(name)
            if result is None:
                continue
            ms = _number(result.get("elapsed_ms")) or 0.0
            height = max(1.0, plot_h * min(ms, top) / top)
            bars.append(
                ChartBar(
                    x=round(x0 + fi * bar_w, 1),
                    y=round(6 + plot_h - height, 1),
                    width=round(max(bar_w - 1, 1), 1),
                    height=round(height, 1),
                    color=COLORS.get(faults[fi], OTHER_COLOR),
                    title=f"{name}, {columns[fi]}: {_cell(result).text}",
                )
            )
    legend = tuple(
        LegendItem(shown(e.get("label"), "?"), COLORS.get(f, OTHER_COLOR))
        for e, f in zip(experiments, faults, strict=True)
    )
    return tuple(bars), tuple(labels), legend, f"{top / 1000:.1f} s"


def chaos_text(report: Report) -> list[RenderableType]:
    """One table per dependency on the terminal; every value reaches Rich as plain Text."""
    view = chaos_view(report)
    if view is None:
        return []
    parts: list[RenderableType] = [Text(view.summary)]
    for dep in view.dependencies:
        table = plain_table()
        table.add_column(f"{dep.name}: {dep.summary}", overflow="fold")
        for column in dep.columns:
            table.add_column(column, no_wrap=True)
        for row in dep.rows:
            table.add_row(
                Text(row.target, "yellow" if row.baseline_failed else ""),
                *(Text(c.text, "red" if c.bad else "") for c in row.cells),
            )
        parts.append(spaced(table))
        parts += [Text(note, "yellow") for note in dep.notes]
    return [section("Chaos: how the store copes when a dependency fails", *parts)]


def chaos_markdown(report: Report) -> list[str]:
    from launchready.report.markdown import md

    view = chaos_view(report)
    if view is None:
        return []
    lines = ["## Chaos: how the store copes when a dependency fails", "", md(view.summary), ""]
    for dep in view.dependencies:
        lines += [f"### {md(dep.name)}", "", md(dep.summary), ""]
        lines.append("| Route | " + " | ".join(md(c) for c in dep.columns) + " |")
        lines.append("|---|" + "---:|" * len(dep.columns))
        for row in dep.rows:
            cells = " | ".join(f"**{md(c.text)}**" if c.bad else md(c.text) for c in row.cells)
            lines.append(f"| {md(row.target)} | {cells} |")
        lines.append("")
        lines += [f"- {md(note)}" for note in dep.notes]
        if dep.notes:
            lines.append("")
    return lines


def _number(value: JSONValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else DASH


__all__ = ["ChaosView", "DependencyView", "chaos_markdown", "chaos_text", "chaos_view"]
