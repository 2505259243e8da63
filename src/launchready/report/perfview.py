"""The light-traffic table (``extras["light_traffic"]``) as lines for the terminal and JUnit,
read defensively like the other views (a report may be re-rendered from edited JSON)."""

from __future__ import annotations

from collections.abc import Mapping

from launchready.findings import Report
from launchready.report.common import shown, shown_ms

DELIVERABLE = "light_traffic"
DASH = "-"
"""What a missing value shows as."""


def light_lines(report: Report) -> list[str]:
    """``checkout-session  POST  2/20 sent  p50 651 ms  p95 -  max 655 ms  slow``."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, list):
        return []
    rows = [r for r in raw if isinstance(r, Mapping)]
    width = max((len(shown(r.get("route"), DASH)) for r in rows), default=0)
    return [
        "  ".join(
            (
                shown(r.get("route"), DASH).ljust(width),
                shown(r.get("method"), DASH),
                f"{shown(r.get('sent'), DASH)}/{shown(r.get('planned'), DASH)} sent",
                f"p50 {shown_ms(r.get('p50_ms'))}",
                f"p95 {shown_ms(r.get('p95_ms'))}",
                f"max {shown_ms(r.get('max_ms'))}",
                shown(r.get("verdict"), DASH),
            )
        )
        for r in rows
    ]


def load_lines(report: Report) -> list[str]:
    """The load model, then one line per route: requests, errors, percentiles, budget."""
    raw = report.extras.get("load")
    if not isinstance(raw, Mapping):
        return []
    rows = [r for r in raw.get("routes") or [] if isinstance(r, Mapping)]
    width = max((len(shown(r.get("route"), DASH)) for r in rows), default=0)
    lines = [shown(raw.get("model_note"), DASH)]
    if raw.get("stopped") == "interrupted":
        lines.append("interrupted before the planned duration: figures cover the time it ran")
    for r in rows:
        p95, budget = r.get("p95_ms"), r.get("budget_ms")
        over = isinstance(p95, int | float) and isinstance(budget, int | float) and p95 > budget
        lines.append(
            "  ".join(
                (
                    shown(r.get("route"), DASH).ljust(width),
                    f"{shown(r.get('requests'), DASH)} req",
                    f"{shown(r.get('failures'), DASH)} failed",
                    f"{shown(r.get('rps'), DASH)} req/s",
                    f"p50 {shown_ms(r.get('p50_ms'))}",
                    f"p95 {shown_ms(p95)}",
                    f"p99 {shown_ms(r.get('p99_ms'))}",
                    f"max {shown_ms(r.get('max_ms'))}",
                    f"budget {shown_ms(budget)}",
                    "OVER" if over else "ok",
                )
            )
        )
    return lines
