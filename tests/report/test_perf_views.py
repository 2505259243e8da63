"""The speed deliverables in every human format: light-traffic and load tables in text and
JUnit, load charts and the Lighthouse table in HTML; odd values never crash a renderer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest

from launchready.findings import Report
from launchready.report import Format, render
from launchready.report.perfcharts import lighthouse_rows, load_section

LOAD: dict[str, Any] = {
    "model": "open",
    "model_note": "open model: 60 requests/s at constant arrival",
    "stopped": "interrupted",
    "routes": [
        {
            "route": "slow",
            "requests": 120,
            "failures": 0,
            "rps": 20.0,
            "p50_ms": 310.0,
            "p95_ms": 409.0,
            "p99_ms": 417.0,
            "max_ms": 420.0,
            "budget_ms": 300,
            "timeline": [[0, 300.0, 400.0], [1, 310.0, 410.0], [2, 305.0, 405.0]],
            "histogram": [[100.0, 0], [200.0, 3], [300.0, 50], [420.0, 67]],
        },
        {"route": "fast", "requests": 100, "failures": 0, "p95_ms": 12.0, "budget_ms": 300},
    ],
}
LIGHT = [
    {
        "route": "checkout",
        "method": "POST",
        "sent": 2,
        "planned": 20,
        "p50_ms": 655.0,
        "p95_ms": None,
        "max_ms": 668.0,
        "verdict": "slow",
    },
]
LIGHTHOUSE = {
    "status": "ran",
    "pages": [
        {
            "url": "https://shop.test/",
            "score": 61.0,
            "opportunities": [{"title": "Eliminate render-blocking resources", "savings_ms": 6100}],
        },
        {"url": "https://shop.test/cart", "score": None, "error": "NO_FCP: no paint"},
    ],
}


@pytest.fixture
def perf_report(report: Report) -> Report:
    return replace(report, extras={"load": LOAD, "light_traffic": LIGHT, "lighthouse": LIGHTHOUSE})


def test_text_shows_light_traffic_and_load(perf_report: Report) -> None:
    text = render(perf_report, Format.TEXT)
    assert re.search(r"checkout\s+POST\s+2/20 sent\s+p50 655 ms\s+p95 -\s+max 668 ms\s+slow", text)
    assert "open model: 60 requests/s" in text
    assert "interrupted before the planned duration" in text
    assert re.search(r"slow\s+120 req.*p95 409 ms.*budget 300 ms\s+OVER", text)
    assert re.search(r"fast\s+100 req.*p95 12 ms.*ok", text)


def test_junit_carries_them_in_the_perf_suite(perf_report: Report) -> None:
    root = ET.fromstring(render(perf_report, Format.JUNIT).split("\n", 1)[1])
    out = root.find("testsuite[@name='launchready.perf']/system-out")
    assert out is not None and out.text is not None
    assert out.text.startswith("Light traffic:")
    assert "Load test:" in out.text


def test_html_draws_both_charts_per_route_and_the_lighthouse_table(perf_report: Report) -> None:
    html = render(perf_report, Format.HTML)
    assert html.count('class="p95"') == 2
    assert 'aria-label="slow: latency histogram"' in html
    assert "p95 over budget" in html
    assert "Eliminate render-blocking resources (saves 6.1 s)" in html
    assert "NO_FCP: no paint" in html
    assert "<script" not in html


def test_chart_geometry_stays_inside_the_picture(perf_report: Report) -> None:
    note, charts = load_section(perf_report)
    assert note.startswith("open model")
    slow = charts[0]
    points = [tuple(map(float, p.split(","))) for p in slow.p95_points.split()]
    assert len(points) == 3
    assert all(0 <= x <= 460 and 0 <= y <= 140 for x, y in points)
    assert slow.budget_y is not None
    assert all(y < slow.budget_y for _, y in points)  # p95 above the budget line
    assert [b.title for b in slow.bars][-1] == "up to 420 ms: 67 requests"
    assert charts[1].bars == ()
    rows = lighthouse_rows(perf_report)
    assert [(r.score, r.below) for r in rows] == [("61", True), ("-", False)]


@pytest.mark.parametrize(
    "extras",
    [
        {"load": {"routes": [{"route": 3}, "x", {"route": "a", "timeline": [["a", 1]]}]}},
        {"load": "garbage", "light_traffic": {"not": "a list"}, "lighthouse": []},
        {"lighthouse": {"pages": ["x", {"score": "high"}]}},
    ],
)
def test_hand_edited_values_never_crash_a_renderer(report: Report, extras: dict[str, Any]) -> None:
    odd = replace(report, extras=extras)
    for fmt in (Format.TEXT, Format.HTML, Format.JUNIT, Format.MD):
        assert render(odd, fmt)
