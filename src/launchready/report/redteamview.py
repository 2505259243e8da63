"""The red-team summary (``extras["redteam"]``) as lines for the terminal and JUnit.

Read defensively like the other views: a report may be re-rendered from an edited JSON
file, so a missing or odd field is shown as unknown rather than crashing the renderer.
"""

from __future__ import annotations

from collections.abc import Mapping

from launchready.findings import JSONValue, Report
from launchready.report.common import shown

DELIVERABLE = "redteam"
MAX_LISTED = 12


def redteam_lines(report: Report) -> list[str]:
    """A headline, one line per probe family, then the probes that failed or did not run."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, Mapping):
        return []
    latency = raw.get("latency_ms")
    timing = ""
    if isinstance(latency, Mapping) and latency:
        timing = (
            f"; replies p50 {_ms(latency.get('p50'))}, p95 {_ms(latency.get('p95'))}, "
            f"max {_ms(latency.get('max'))} (budget {_ms(raw.get('budget_ms'))})"
        )
    lines = [
        f"{_int(raw.get('probes_run'))} probes in {_ms(raw.get('duration_ms'))} against "
        f"{_text(raw.get('endpoint'))} ({_text(raw.get('kind'))}){timing}"
    ]
    families = raw.get("families")
    if isinstance(families, Mapping):
        width = max((len(str(name)) for name in families), default=0)
        for name, counts in families.items():
            if not isinstance(counts, Mapping):
                continue
            parts = [f"{_int(counts.get('run'))} run", f"{_int(counts.get('failed'))} failed"]
            for key, label in (
                ("errors", "errors"),
                ("rate_limited", "rate-limited"),
                ("skipped", "skipped"),
            ):
                if _int(counts.get(key)):
                    parts.append(f"{_int(counts.get(key))} {label}")
            lines.append(f"  {str(name).ljust(width)}  {', '.join(parts)}")
    lines += _listed(raw.get("results"), "fail", "failed")
    lines += _listed(raw.get("results"), "error", "errors")
    skipped = raw.get("skipped")
    if isinstance(skipped, list) and skipped:
        missing = sorted(
            {
                str(m)
                for s in skipped
                if isinstance(s, Mapping)
                for m in (s.get("missing") or [])
                if isinstance(s.get("missing"), list)
            }
        )
        lines.append(
            f"  not run: {len(skipped)} probes need {', '.join(missing) or 'values'} "
            "in the manifest's chatbot section"
        )
    return lines


def _listed(results: JSONValue, status: str, label: str) -> list[str]:
    if not isinstance(results, list):
        return []
    names = [
        _text(r.get("probe"))
        for r in results
        if isinstance(r, Mapping) and r.get("status") == status
    ]
    if not names:
        return []
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return [f"  {label}: {', '.join(names[:MAX_LISTED])}{more}"]


def _text(value: JSONValue) -> str:
    return shown(value or None, "?")


def _int(value: JSONValue) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _ms(value: JSONValue) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value / 1000:.1f} s" if value >= 10_000 else f"{value:.0f} ms"
    return "?"
