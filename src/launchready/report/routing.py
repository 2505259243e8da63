"""The routing deliverables (redirect matrix, route timings) as rows for every format.

The ``routing`` area delivers ``extras["redirect_matrix"]`` and ``extras["route_timings"]``.
Like :mod:`launchready.report.dnsmap`, this module reads them defensively (a report may be
re-rendered from an edited JSON file, and URLs and errors come from servers we do not
control) and cleans and shortens the text once, so the terminal, Markdown, HTML, SARIF and
JUnit show the same rows and only escape for their own syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchready.findings import JSONValue, Report
from launchready.report.common import shown, shown_ms

MAX_HOPS_SHOWN = 12
"""Hops listed per row in human formats; a loop can be longer, the JSON keeps them all."""


@dataclass(frozen=True)
class MatrixRow:
    """One source URL of the redirect matrix, ready to print."""

    source: str
    expected: str
    hops: tuple[str, ...]
    omitted: int
    final: str
    verdict: str

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@dataclass(frozen=True)
class TimingRow:
    """One route's single request: status (or error) and how long it took."""

    route: str
    method: str
    url: str
    status: str
    ttfb_ms: str
    total_ms: str
    error: str
    checkout: bool


def _entries(report: Report, name: str) -> list[Mapping[str, JSONValue]]:
    raw = report.extras.get(name)
    return [e for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []


def matrix_rows(report: Report) -> list[MatrixRow]:
    """``extras["redirect_matrix"]`` as rows; entries without a source are skipped."""
    rows = []
    for entry in _entries(report, "redirect_matrix"):
        if not isinstance(entry.get("source"), str):
            continue
        raw_hops = entry.get("hops")
        hops = [_hop(h) for h in raw_hops] if isinstance(raw_hops, list) else []
        verdict = entry.get("verdict")
        rows.append(
            MatrixRow(
                source=shown(entry["source"]),
                expected=shown(entry.get("expected")),
                hops=tuple(hops[:MAX_HOPS_SHOWN]),
                omitted=max(len(hops) - MAX_HOPS_SHOWN, 0),
                final=shown(entry.get("final")),
                verdict=shown(verdict) if isinstance(verdict, str) else "unknown",
            )
        )
    return rows


def _hop(hop: JSONValue) -> str:
    """``301 -> https://a/`` for a redirect, ``200`` for an answer, the error otherwise."""
    if not isinstance(hop, Mapping):
        return shown(hop)
    status, location, error = hop.get("status"), hop.get("location"), hop.get("error")
    if status is None:
        return shown(f"error: {error}" if error else "no answer")
    if location:
        return shown(f"{status} -> {location}")
    return shown(status)


def timing_rows(report: Report) -> list[TimingRow]:
    """``extras["route_timings"]`` as rows; entries without a route name are skipped."""
    rows = []
    for entry in _entries(report, "route_timings"):
        if not isinstance(entry.get("route"), str):
            continue
        rows.append(
            TimingRow(
                route=shown(entry["route"]),
                method=shown(entry.get("method")) or "GET",
                url=shown(entry.get("url")),
                status=shown(entry.get("status")) or "-",
                ttfb_ms=shown_ms(entry.get("ttfb_ms")),
                total_ms=shown_ms(entry.get("total_ms")),
                error=shown(entry.get("error")),
                checkout=entry.get("checkout") is True,
            )
        )
    return rows


def matrix_lines(rows: list[MatrixRow]) -> list[str]:
    """Plain lines for formats without tables (JUnit system-out)."""
    lines = []
    for row in rows:
        expected = f" (expected {row.expected})" if row.expected else ""
        hops = " | ".join(row.hops) + (f" | … {row.omitted} more" if row.omitted else "")
        lines.append(f"[{row.verdict}] {row.source}{expected}: {hops} => {row.final}")
    return lines


def timing_lines(rows: list[TimingRow]) -> list[str]:
    lines = []
    for row in rows:
        tail = f" error: {row.error}" if row.error else ""
        mark = " [checkout]" if row.checkout else ""
        lines.append(
            f"{row.route}{mark}: {row.method} {row.url} -> {row.status} "
            f"(ttfb {row.ttfb_ms}, total {row.total_ms}){tail}"
        )
    return lines
