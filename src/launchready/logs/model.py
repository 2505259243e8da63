"""The result of a log analysis, and its JSON form: the ``logs`` deliverable of a report.

Everything taken from a log line that reaches this model is already a template, a count
or a redacted stub, so the deliverable can go to every output format as it is. Clear
secret values stay inside :class:`~launchready.logs.exposure.Exposure` (for fingerprints)
and never reach :meth:`LogAnalysis.to_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from launchready.findings import JSONValue
from launchready.logs.errortemplates import ErrorTemplate
from launchready.logs.exposure import Exposure
from launchready.logs.requestid import COVERAGE_GOAL, LiveCheck
from launchready.logs.sources import Kind
from launchready.logs.stats import RouteStats, Traffic, Window
from launchready.logs.templates import RouteMap
from launchready.manifest import Route

ROUTES_SHOWN = 50
"""Templates in the deliverable (the busiest); every template is still checked."""
EXAMPLES_PER_FILE = 3


@dataclass(frozen=True)
class Options:
    """What one analysis needs besides the files."""

    now: datetime
    since: datetime | None = None
    """Only lines at or after this time (``logs.window`` / ``--since``)."""
    request_id: str | None = None
    """The configured request-ID header (``logs.request_id``)."""
    routes: Sequence[Route] = ()
    own_domains: tuple[str, ...] = ()
    """The store's own domains: an address there is not customer data."""
    base: Path = field(default_factory=Path.cwd)
    """Paths are shown relative to this folder."""

    @property
    def since_ms(self) -> int | None:
        return round(self.since.timestamp() * 1000) if self.since is not None else None


@dataclass
class FileReport:
    """One file: its format, how much of it parsed, its time span, what it exposes."""

    path: str
    source: str
    kind: Kind
    mtime_ms: int
    format: str | None = None
    compressed: bool = False
    lines: int = 0
    parsed: int = 0
    in_window: int = 0
    with_id: int = 0
    first_ms: int | None = None
    newest_ms: int | None = None
    error: str | None = None
    skipped: str | None = None
    unparsed_examples: list[str] = field(default_factory=list)
    exposure: Exposure = field(default_factory=Exposure)

    @property
    def unparsed(self) -> int:
        return self.lines - self.parsed

    @property
    def coverage(self) -> float | None:
        """Share of the file's records (in the window) that carry a request ID."""
        return self.with_id / self.in_window if self.in_window else None

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "path": self.path,
            "source": self.source,
            "kind": self.kind,
            "format": self.format,
            "compressed": self.compressed,
            "lines": self.lines,
            "parsed": self.parsed,
            "unparsed": self.unparsed,
            "unparsed_examples": list(self.unparsed_examples),
            "in_window": self.in_window,
            "with_request_id": self.with_id,
            "request_id_coverage": _ratio(self.coverage),
            "first": iso(self.first_ms),
            "newest": iso(self.newest_ms),
            "error": self.error,
            "skipped": self.skipped,
        }


@dataclass
class SourceReport:
    """One setting (a ``logs.access``/``logs.app`` entry or a PATH) and its files."""

    spec: str
    kind: Kind
    problem: str | None
    files: list[FileReport] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def parsed(self) -> int:
        return sum(f.parsed for f in self.files)

    @property
    def newest_ms(self) -> int | None:
        return max((f.newest_ms for f in self.files if f.newest_ms is not None), default=None)

    @property
    def coverage(self) -> float | None:
        records = sum(f.in_window for f in self.files)
        return sum(f.with_id for f in self.files) / records if records else None


@dataclass
class LogAnalysis:
    """What the logs say, ready for findings and reports."""

    options: Options
    sources: list[SourceReport]
    traffic: Traffic
    errors: list[ErrorTemplate]
    error_lines: int
    route_map: RouteMap
    live: list[LiveCheck] = field(default_factory=list)
    live_header: str | None = None
    """The header the live check looked for (None: the live check did not run)."""

    @property
    def files(self) -> list[FileReport]:
        return [f for s in self.sources for f in s.files]

    def to_json(self) -> dict[str, JSONValue]:
        """The ``logs`` deliverable: files, per-route table and timelines, error
        templates, request-ID coverage. Only templates, counts and redacted stubs."""
        shown = self.traffic.routes[:ROUTES_SHOWN]
        return {
            "since": iso(self.options.since_ms),
            "generated_at": self.options.now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "request_id_header": self.live_header or self.options.request_id,
            "sources": [
                {
                    "spec": s.spec,
                    "kind": s.kind,
                    "problem": s.problem,
                    "lines": s.lines,
                    "parsed": s.parsed,
                    "newest": iso(s.newest_ms),
                    "request_id_coverage": _ratio(s.coverage),
                }
                for s in self.sources
            ],
            "files": [f.to_json() for f in self.files],
            "requests": self.traffic.requests,
            "errors_5xx": self.traffic.errors,
            "error_rate": _ratio(self.traffic.error_rate),
            "first": iso(self.traffic.first_ms),
            "last": iso(self.traffic.last_ms),
            "bucket_s": self.traffic.bucket_ms // 1000,
            "templates_total": len(self.traffic.routes),
            "routes": [self._route(r) for r in shown],
            "spike": _window(self.traffic.spike),
            "error_lines": self.error_lines,
            "error_templates": [
                {
                    "template": t.template,
                    "count": t.count,
                    "share": _ratio(t.count / self.error_lines if self.error_lines else None),
                }
                for t in self.errors[:5]
            ],
            "request_id_goal": COVERAGE_GOAL,
            "live": [c.to_json() for c in self.live],
        }

    def _route(self, stats: RouteStats) -> dict[str, JSONValue]:
        route = self.route_map.route(stats.key)
        return {
            "template": stats.key,
            "route": route.name if route is not None else None,
            "requests": stats.requests,
            "errors_5xx": stats.errors,
            "error_rate": _ratio(stats.error_rate),
            "timed": stats.timed,
            "p50_ms": stats.p50_ms,
            "p95_ms": stats.p95_ms,
            "p99_ms": stats.p99_ms,
            "budget_ms": self.route_map.budget_ms(stats.key),
            "worst_window": _window(stats.worst),
            "timeline": [list(point) for point in stats.timeline],
        }


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds as ``2026-11-22T15:00:00Z`` (None stays None)."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _ratio(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _window(window: Window | None) -> dict[str, JSONValue] | None:
    if window is None:
        return None
    return {
        "start": iso(window.start_ms),
        "end": iso(window.end_ms),
        "requests": window.requests,
        "errors_5xx": window.errors,
        "error_rate": _ratio(window.error_rate),
        "p95_ms": window.p95_ms,
        "top_template": window.top_key,
    }


__all__ = ["FileReport", "LogAnalysis", "Options", "SourceReport", "iso"]
