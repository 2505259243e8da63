"""From the Locust processes' result file to per-route statistics and catalog findings.

Percentiles come from the HDR histograms (three significant digits: a 300 ms budget is
judged to within 0.3 ms), never from Locust's own, which round to 10 ms between 100 ms and
1 s and to 100 ms above: near a budget that is too coarse to call. Locust's p95 is kept
next to ours in the deliverable so the difference is visible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from launchready.catalog import finding
from launchready.findings import Finding
from launchready.load.scenario import LoadSpec, Target

ERROR_RATE_LIMIT = 0.01
"""checks.md: more than 1 % of a route's requests fail under load."""
MIN_REQUESTS = 20
"""Below this many requests a p95 is one or two samples: reported, never judged."""


@dataclass(frozen=True)
class RouteStats:
    target: Target
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    rps: float
    locust_p95_ms: float | None
    errors: dict[str, int]
    timeline: dict[str, list[float]]

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def over_budget(self) -> bool:
        return (
            self.requests >= MIN_REQUESTS
            and self.p95_ms is not None
            and self.p95_ms > self.target.budget_ms
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "route": self.target.name,
            "url": self.target.url,
            "method": self.target.method,
            "checkout": self.target.checkout,
            "requests": self.requests,
            "failures": self.failures,
            "error_rate": round(self.error_rate, 4),
            "rps": round(self.rps, 1),
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "budget_ms": round(self.target.budget_ms),
            "locust_p95_ms": self.locust_p95_ms,
            "top_errors": dict(sorted(self.errors.items(), key=lambda e: -e[1])[:3]),
            "timeline": _timeline(self.timeline),
            "histogram": [],
        }


@dataclass(frozen=True)
class LoadResult:
    spec: LoadSpec
    model: str
    stopped: str
    duration_s: float
    workers: int
    routes: list[RouteStats]
    histograms: dict[str, list[tuple[float, int]]]

    def to_json(self) -> dict[str, Any]:
        rows = []
        for stats in self.routes:
            row = stats.to_json()
            row["histogram"] = [[ms, n] for ms, n in self.histograms.get(stats.target.name, [])]
            rows.append(row)
        return {
            "model": self.model,
            "model_note": (
                f"open model: {self.spec.rate:g} requests/s at constant arrival; latency from "
                "each request's intended send time"
                if self.model == "open"
                else f"closed model: {self.spec.users} users, think time "
                f"{self.spec.think_s[0]:g} to {self.spec.think_s[1]:g} s, ramp "
                f"{self.spec.spawn_rate:g} users/s (a slow server slows the load down)"
            ),
            "stopped": self.stopped,
            "duration_s": self.duration_s,
            "workers": self.workers,
            "percentiles": "HDR histogram, 3 significant digits (Locust's own round to 10 ms "
            "between 100 ms and 1 s, 100 ms above)",
            "routes": rows,
        }


def read_result(spec: LoadSpec, path: Path) -> LoadResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    duration = float(data["duration_s"]) or 1.0
    by_name = {t.name: t for t in spec.targets}
    routes: list[RouteStats] = []
    histograms: dict[str, list[tuple[float, int]]] = {}
    for name, target in by_name.items():
        raw = data["targets"].get(name)
        if raw is None:
            routes.append(RouteStats(target, 0, 0, None, None, None, None, 0.0, None, {}, {}))
            continue
        hist = HdrHistogram.decode(raw["hdr"].encode("ascii"))
        histograms[name] = _buckets(hist)
        routes.append(
            RouteStats(
                target=target,
                requests=int(raw["requests"]),
                failures=int(raw["failures"]),
                p50_ms=_ms(hist.get_value_at_percentile(50)),
                p95_ms=_ms(hist.get_value_at_percentile(95)),
                p99_ms=_ms(hist.get_value_at_percentile(99)),
                max_ms=_ms(hist.get_max_value()),
                rps=int(raw["requests"]) / duration,
                locust_p95_ms=data.get("locust_p95_ms", {}).get(name),
                errors=dict(raw["errors"]),
                timeline=_relative(raw["timeline"], float(data.get("started_epoch", 0))),
            )
        )
    return LoadResult(
        spec, data["model"], data["stopped"], duration, int(data["workers"]), routes, histograms
    )


def _relative(timeline: dict[str, list[float]], started: float) -> dict[str, list[float]]:
    """Epoch seconds as seconds since the load began (samples before it are dropped)."""
    origin = int(started)
    return {
        str(int(second) - origin): samples
        for second, samples in timeline.items()
        if int(second) >= origin
    }


def _ms(microseconds: int) -> float:
    return round(microseconds / 1000, 1)


def _buckets(hist: HdrHistogram, count: int = 24) -> list[tuple[float, int]]:
    """A coarse latency histogram for the report: ``count`` equal-width bars up to p99.9."""
    top = max(hist.get_value_at_percentile(99.9), 1)
    width = top / count
    bars = [0] * count
    for item in hist.get_recorded_iterator():
        index = min(int(item.value_iterated_to / width), count - 1)
        bars[index] += item.count_added_in_this_iter_step
    return [(round((i + 1) * width / 1000, 1), n) for i, n in enumerate(bars)]


def _timeline(samples: dict[str, list[float]]) -> list[list[float]]:
    """Per second: [second, p50, p95] of the kept samples, for the over-time chart."""
    rows = []
    for second in sorted(samples, key=int):
        values = sorted(samples[second])
        if values:
            rows.append(
                [
                    int(second),
                    values[len(values) // 2],
                    values[max(0, -(-95 * len(values) // 100) - 1)],
                ]
            )
    return rows


def load_findings(result: LoadResult) -> list[Finding]:
    found: list[Finding] = []
    for stats in result.routes:
        target = stats.target
        facts: dict[str, Any] = {
            "route": target.name,
            "model": result.model,
            "requests": stats.requests,
            "p95_ms": stats.p95_ms,
            "budget_ms": round(target.budget_ms),
        }
        if stats.over_budget:
            found.append(
                finding(
                    "perf.p95-over-budget",
                    target=target.url,
                    evidence={**facts, "p50_ms": stats.p50_ms, "p99_ms": stats.p99_ms},
                    checkout=target.checkout,
                    fingerprint_keys=["route"],
                )
            )
        if stats.requests >= MIN_REQUESTS and stats.error_rate > ERROR_RATE_LIMIT:
            found.append(
                finding(
                    "perf.errors-under-load",
                    target=target.url,
                    evidence={
                        **facts,
                        "failures": stats.failures,
                        "error_rate": f"{stats.error_rate:.1%}",
                        "top_errors": dict(sorted(stats.errors.items(), key=lambda e: -e[1])[:3]),
                    },
                    checkout=target.checkout,
                    fingerprint_keys=["route"],
                )
            )
    return found
