"""The logs deliverable in every format, including from edited JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.logs import Options, analyse, analysis_findings, path_sources
from launchready.report import Format, render, report_from_json
from launchready.report.logscharts import logs_charts
from launchready.report.logsview import logs_view

from .logfiles import Hit, combined, now, rid, spread, write


def _report(extras: dict[str, object]) -> Report:
    return area_report(
        "shop.test",
        CheckAttempt("logs", AttemptStatus.RAN, 12),
        [],
        started_at=datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
        extras=extras,
        command="logs",
    )


@pytest.fixture
def analysed(tmp_path: Path) -> Report:
    start = now() - timedelta(hours=3)
    hits = [
        Hit(
            at,
            f"/orders/{i}",
            status=503 if i % 50 == 0 else 200,
            seconds=0.1 + (i % 10) / 50,
            request_id=rid(i),
        )
        for i, at in enumerate(spread(600, start, timedelta(seconds=15)))
    ]
    write(tmp_path / "access.log", [combined(h) for h in hits])
    analysis = analyse(path_sources(["access.log"], tmp_path), Options(now=now(), base=tmp_path))
    report = _report({"logs": analysis.to_json()})
    return area_report(
        report.site,
        report.checks[0],
        analysis_findings(analysis),
        started_at=report.started_at,
        extras=report.extras,
        command="logs",
    )


def test_every_format_shows_the_route_table(analysed: Report) -> None:
    for fmt in (Format.TEXT, Format.MD, Format.HTML):
        text = render(analysed, fmt)
        assert "GET /orders/{id}" in text, fmt
        assert "access.log" in text, fmt
    view = logs_view(analysed)
    assert view is not None and view.routes[0].requests == "600"
    note, charts = logs_charts(analysed)
    assert "min" in note
    assert charts[0].p95_points and charts[0].error_bars


def test_json_round_trip_renders_the_same(analysed: Report) -> None:
    again = report_from_json(render(analysed, Format.JSON))
    assert render(again, Format.MD) == render(analysed, Format.MD)
    assert render(again, Format.HTML) == render(analysed, Format.HTML)


@pytest.mark.parametrize(
    "deliverable",
    [
        {"routes": [{"template": 5, "timeline": [[1, "x"], "no", [1, 2, 3, None]]}], "files": "no"},
        {
            "routes": "nope",
            "live": [{"present": "yes"}],
            "error_templates": [None, {"share": True}],
        },
        {"spike": {"start": None}, "requests": {"a": 1}, "since": 7},
        "not a mapping",
    ],
)
def test_edited_deliverables_never_break_a_renderer(deliverable: object) -> None:
    report = _report({"logs": deliverable})
    for fmt in (Format.TEXT, Format.MD, Format.HTML, Format.JSON, Format.SARIF, Format.JUNIT):
        assert render(report, fmt)


def test_hostile_text_in_a_template_is_escaped() -> None:
    report = _report(
        {"logs": {"routes": [{"template": "GET /<script>alert(1)</script>", "timeline": []}]}}
    )
    assert "<script>" not in render(report, Format.HTML)
    assert "<script>" not in render(report, Format.MD)
