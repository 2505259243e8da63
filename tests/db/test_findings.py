"""The thresholds of checks.md on hand-made statistics: exactly at a threshold is not over
it, and each finding names the statement, not the figures, in its fingerprint."""

from __future__ import annotations

import pytest

from launchready.db.findings import db_findings, statement_findings
from launchready.db.model import (
    HotQuery,
    IndexAdvice,
    Inspection,
    SeqScan,
    Source,
    Statement,
    StatsGap,
    Timing,
    Unreachable,
)


def _ids(statements: list[Statement]) -> list[tuple[str, str]]:
    return [(f.id, f.target) for f in statement_findings(statements)]


@pytest.mark.parametrize(
    ("calls", "mean_ms", "slow"),
    [
        (100, 100.5, True),
        (100, 100.0, False),
        (99, 500.0, False),
        (5000, 101.0, True),
    ],
)
def test_slow_query_needs_mean_over_100_ms_across_100_calls(
    calls: int, mean_ms: float, slow: bool
) -> None:
    busy = Statement("SELECT slow()", calls, calls * mean_ms, mean_ms)
    other = Statement("SELECT fast()", 10**10, 10**9, 0.1)  # keeps it from dominating
    assert _ids([busy, other]) == ([("db.slow-query", "SELECT slow()")] if slow else [])


@pytest.mark.parametrize(
    ("share", "mean_ms", "dominant"),
    [
        (0.6, 25.0, True),
        (0.5, 25.0, False),
        (0.9, 20.0, False),
        (0.99, 20.5, True),
    ],
)
def test_dominant_query_needs_over_half_the_time_and_mean_over_20_ms(
    share: float, mean_ms: float, dominant: bool
) -> None:
    heavy = Statement("SELECT heavy()", 10, 1000.0 * share, mean_ms)
    rest = Statement("SELECT rest()", 10_000, 1000.0 * (1 - share), 0.1)
    expected = [("db.dominant-query", "SELECT heavy()")] if dominant else []
    assert _ids([heavy, rest]) == expected


def test_fingerprints_follow_the_statement_not_its_timings() -> None:
    first = statement_findings([Statement("SELECT x", 200, 40_000.0, 200.0)])
    later = statement_findings([Statement("SELECT x", 900, 270_000.0, 300.0)])
    assert [f.id for f in first] == ["db.slow-query", "db.dominant-query"]
    assert [f.fingerprint for f in first] == [f.fingerprint for f in later]


def test_a_hidden_statement_is_reported_with_how_to_see_it() -> None:
    hidden = Statement("<insufficient privilege>", 300, 60_000.0, 200.0, visible=False)
    found = statement_findings([hidden])
    assert {f.target for f in found} == {"a statement of another role (text hidden)"}
    assert all("pg_read_all_stats" in f.fix for f in found)


def test_analyze_timings_over_100_ms_are_slow() -> None:
    query = HotQuery("order-status", "SELECT 1")
    inspection = Inspection(
        "sqlite:///x.db",
        timings=[Timing(query, 100.0), Timing(HotQuery("report", "SELECT 2"), 100.1)],
    )
    found = db_findings(inspection)
    assert [(f.id, f.target, f.evidence["source"]) for f in found] == [
        ("db.slow-query", "report", "--analyze")
    ]


def test_unreachable_replaces_every_other_finding() -> None:
    scan = SeqScan(HotQuery("q", "SELECT 1"), "orders", 10**6, None, IndexAdvice((), None))
    inspection = Inspection(
        "postgresql://app@db/shop",
        scans=[scan],
        stats_gap=StatsGap("not installed"),
        unreachable=Unreachable("connect", "connection refused"),
    )
    assert [f.id for f in db_findings(inspection)] == ["db.unreachable"]


def test_a_seq_scan_with_nothing_to_index_says_so() -> None:
    scan = SeqScan(
        HotQuery("all-orders", "SELECT * FROM orders", (), Source.MANIFEST),
        "public.orders",
        100_000,
        None,
        IndexAdvice((), None),
    )
    (found,) = db_findings(Inspection("postgresql://app@db/shop", scans=[scan]))
    assert found.id == "db.seq-scan"
    assert found.evidence["index"] is None
    assert "no condition an index could serve" in found.fix
