"""Exact per-route percentiles and 5-minute windows."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime

import polars as pl
import pytest

from launchready.logs.stats import TRAFFIC_SCHEMA, traffic

T0 = int(datetime(2026, 11, 22, 12, 0, tzinfo=UTC).timestamp() * 1000)


def _frame(rows: list[tuple[str, int, int, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=TRAFFIC_SCHEMA, orient="row")


def test_percentiles_are_exact_not_bucketed() -> None:
    rng = random.Random(7)
    durations = [rng.lognormvariate(4.5, 0.6) for _ in range(997)]
    frame = _frame([("GET /a", T0 + i * 1000, 200, d) for i, d in enumerate(durations)])
    (route,) = traffic(frame).routes
    cuts = statistics.quantiles(
        [float(pl.Series([d], dtype=pl.Float32)[0]) for d in durations], n=100, method="inclusive"
    )
    assert route.p50_ms == pytest.approx(cuts[49], abs=0.06)
    assert route.p95_ms == pytest.approx(cuts[94], abs=0.06)
    assert route.p99_ms == pytest.approx(cuts[98], abs=0.06)
    assert route.timed == route.requests == 997


def test_worst_window_prefers_errors_then_latency() -> None:
    rows = [("GET /a", T0 + i * 10_000, 200, 50.0) for i in range(180)]  # 30 minutes
    rows += [("GET /a", T0 + 12 * 60_000 + i, 503, 20.0) for i in range(3)]  # errors at 12 min
    rows += [("GET /a", T0 + 25 * 60_000 + i, 200, 900.0) for i in range(3)]  # slow at 25 min
    (route,) = traffic(_frame(rows)).routes
    assert route.worst is not None
    assert route.worst.start_ms == T0 + 10 * 60_000
    assert route.worst.errors == 3


def test_spike_slides_by_the_minute_and_needs_twenty_requests() -> None:
    rows = [("GET /a", T0 + i * 6_000, 200, 10.0) for i in range(600)]  # 10 per minute, 1 h
    # 4 errors straddling the 12:05 boundary: aligned windows would split them 2/2.
    rows += [("POST /pay", T0 + 4 * 60_000 + 30_000 + i, 500, 10.0) for i in range(2)]
    rows += [("POST /pay", T0 + 5 * 60_000 + 30_000 + i, 500, 10.0) for i in range(2)]
    result = traffic(_frame(rows))
    assert result.spike is not None
    assert result.spike.errors == 4
    assert result.spike.top_key == "POST /pay"
    assert result.spike.requests >= 20
    quiet = traffic(_frame([("GET /a", T0 + i, 500, 1.0) for i in range(10)]))
    assert quiet.spike is None  # ten requests are no window to judge


def test_timeline_buckets_fit_the_span() -> None:
    rows = [("GET /a", T0 + i * 60_000, 500 if i == 30 else 200, float(i)) for i in range(120)]
    result = traffic(_frame(rows))
    assert result.bucket_ms == 5 * 60_000
    (route,) = result.routes
    assert len(route.timeline) == 24
    assert sum(p[1] for p in route.timeline) == 120
    assert [p[2] for p in route.timeline].count(1) == 1


def test_requests_without_durations_have_no_percentiles() -> None:
    (route,) = traffic(_frame([("GET /a", T0, 200, None), ("GET /a", T0, 502, None)])).routes
    assert (route.requests, route.errors, route.timed, route.p95_ms) == (2, 1, 0, None)


def test_empty() -> None:
    result = traffic(pl.DataFrame(schema=TRAFFIC_SCHEMA))
    assert (result.requests, result.routes, result.spike) == (0, (), None)
