"""The smoke steps (``extras["smoke_steps"]``) as rows and lines for every human format.

Like :mod:`launchready.report.routing`, entries are read defensively (a report may be
re-rendered from an edited JSON file, and URLs and bodies come from servers we do not
control), cleaned and shortened once, so the terminal, JUnit and the CLI's progress lines
print the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import shown

DELIVERABLE = "smoke_steps"


@dataclass(frozen=True)
class SmokeRow:
    """One smoke step, ready to print."""

    name: str
    kind: str
    ok: bool
    method: str
    target: str
    status: str
    elapsed_ms: float | None
    reasons: tuple[str, ...]
    """Why it failed: the failed conditions in resolved form, then the error."""

    @property
    def verdict(self) -> str:
        return "PASS" if self.ok else "FAIL"

    @property
    def elapsed(self) -> str:
        return "-" if self.elapsed_ms is None else f"{self.elapsed_ms:.0f} ms"

    @property
    def seconds(self) -> float:
        return 0.0 if self.elapsed_ms is None else self.elapsed_ms / 1000


def step_row(entry: Mapping[str, JSONValue]) -> SmokeRow | None:
    """One ``StepResult.to_json()`` as a row; None when it has no name."""
    name = entry.get("name")
    if not isinstance(name, str):
        return None
    evidence = entry.get("evidence")
    facts: Mapping[str, JSONValue] = evidence if isinstance(evidence, Mapping) else {}
    ok = entry.get("ok") is True
    failed = entry.get("failed")
    conditions = entry.get("conditions")
    chosen = failed if isinstance(failed, list) and failed else conditions
    reasons = [shown(c) for c in chosen] if isinstance(chosen, list) and not ok else []
    if entry.get("error"):
        reasons.append(shown(entry["error"]))
    elapsed = entry.get("elapsed_ms")
    return SmokeRow(
        name=shown(name),
        kind=shown(entry.get("kind")) or "step",
        ok=ok,
        method=shown(facts.get("method")),
        target=shown(entry.get("target")),
        status=shown(facts.get("status")) or "-",
        elapsed_ms=float(elapsed)
        if isinstance(elapsed, int | float) and not isinstance(elapsed, bool)
        else None,
        reasons=tuple(r for r in reasons if r),
    )


def smoke_rows(report: Report) -> list[SmokeRow]:
    """``extras["smoke_steps"]`` as rows, in run order; malformed entries are skipped."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, list):
        return []
    rows = [step_row(e) for e in raw if isinstance(e, Mapping)]
    return [row for row in rows if row is not None]


def step_line(row: SmokeRow, name_width: int = 0) -> str:
    """``PASS home  GET https://shop/  200  84 ms``, failures followed by their reasons."""
    request = f"{row.method} {row.target}" if row.method else row.target
    parts = [f"{row.verdict} {row.name.ljust(name_width)}", request or "-", row.status, row.elapsed]
    if row.reasons:
        parts.append("; ".join(row.reasons))
    return "  ".join(parts)


def smoke_lines(rows: list[SmokeRow]) -> list[str]:
    """One line per step, names aligned."""
    width = max((len(r.name) for r in rows), default=0)
    return [step_line(row, width) for row in rows]
