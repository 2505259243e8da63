"""The light-traffic table (``extras["light_traffic"]``) as lines for the terminal and JUnit,
read defensively like the other views (a report may be re-rendered from edited JSON)."""

from __future__ import annotations

from collections.abc import Mapping

from launchready.findings import JSONValue, Report
from launchready.report.common import one_line, shorten

DELIVERABLE = "light_traffic"


def light_lines(report: Report) -> list[str]:
    """``checkout-session  POST  2/20 sent  p50 651 ms  p95 -  max 655 ms  slow``."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, list):
        return []
    rows = [r for r in raw if isinstance(r, Mapping)]
    width = max((len(_text(r.get("route"))) for r in rows), default=0)
    return [
        "  ".join(
            (
                _text(r.get("route")).ljust(width),
                _text(r.get("method")),
                f"{_text(r.get('sent'))}/{_text(r.get('planned'))} sent",
                f"p50 {_ms(r.get('p50_ms'))}",
                f"p95 {_ms(r.get('p95_ms'))}",
                f"max {_ms(r.get('max_ms'))}",
                _text(r.get("verdict")),
            )
        )
        for r in rows
    ]


def _text(value: JSONValue) -> str:
    return shorten(one_line(str(value))) if value is not None else "-"


def _ms(value: JSONValue) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.0f} ms"
    return "-"


def load_lines(report: Report) -> list[str]:
    """The load model, then one line per route: requests, errors, percentiles, budget."""
    raw = report.extras.get("load")
    if not isinstance(raw, Mapping):
        return []
    rows = [r for r in raw.get("routes") or [] if isinstance(r, Mapping)]
    width = max((len(_text(r.get("route"))) for r in rows), default=0)
    lines = [_text(raw.get("model_note"))]
    if raw.get("stopped") == "interrupted":
        lines.append("interrupted before the planned duration: figures cover the time it ran")
    for r in rows:
        p95, budget = r.get("p95_ms"), r.get("budget_ms")
        over = isinstance(p95, int | float) and isinstance(budget, int | float) and p95 > budget
        lines.append(
            "  ".join(
                (
                    _text(r.get("route")).ljust(width),
                    f"{_text(r.get('requests'))} req",
                    f"{_text(r.get('failures'))} failed",
                    f"{_text(r.get('rps'))} req/s",
                    f"p50 {_ms(r.get('p50_ms'))}",
                    f"p95 {_ms(p95)}",
                    f"p99 {_ms(r.get('p99_ms'))}",
                    f"max {_ms(r.get('max_ms'))}",
                    f"budget {_ms(budget)}",
                    "OVER" if over else "ok",
                )
            )
        )
    return lines
