"""Format detection and parsing on real files of every supported format."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from launchready.logs import Options, analyse, path_sources
from launchready.logs.detect import LogFormat, detect, sample_lines
from launchready.logs.formats import parse
from launchready.logs.model import LogAnalysis

from .logfiles import (
    Hit,
    app_json,
    app_plain,
    caddy,
    combined,
    common,
    json_access,
    now,
    rid,
    spread,
    write,
)


def _analyse(tmp_path: Path, *specs: str) -> LogAnalysis:
    return analyse(path_sources(list(specs), tmp_path), Options(now=now(), base=tmp_path))


def _hits(count: int = 40, seconds: float = 0.25) -> list[Hit]:
    start = now() - timedelta(hours=1)
    return [
        Hit(at, path=f"/orders/{1000 + i}", seconds=seconds, request_id=rid(i))
        for i, at in enumerate(spread(count, start, timedelta(seconds=30)))
    ]


@pytest.mark.parametrize(
    ("name", "render", "described"),
    [
        ("nginx.log", lambda h: combined(h, time="s"), "combined + request time (s)"),
        ("apache-ms.log", lambda h: combined(h, time="ms"), "combined + request time (ms)"),
        ("plain-combined.log", lambda h: combined(h, time=None), "combined"),
        ("caddy.json", caddy, "caddy"),
        ("app-access.jsonl", json_access, "json"),
    ],
)
def test_access_formats_are_detected_and_read(
    tmp_path: Path, name: str, render: object, described: str
) -> None:
    assert callable(render)
    write(tmp_path / name, [render(h) for h in _hits()])
    analysis = _analyse(tmp_path, name)
    (file,) = analysis.files
    assert file.format == described
    assert (file.lines, file.parsed) == (40, 40)
    (route,) = analysis.traffic.routes
    assert route.key == "GET /orders/{id}"
    assert route.requests == 40
    if described != "combined":
        assert route.p95_ms == pytest.approx(250.0, abs=0.6)
    else:
        assert route.p95_ms is None  # no request time in the line: no percentile made up


def test_common_format_without_agent(tmp_path: Path) -> None:
    write(tmp_path / "common.log", [common(h) for h in _hits(10)])
    analysis = _analyse(tmp_path, "common.log")
    assert analysis.files[0].format == "combined"
    assert analysis.traffic.requests == 10


def test_microseconds_are_told_from_milliseconds(tmp_path: Path) -> None:
    """Apache ``%D`` writes microseconds: 250000 must read as 250 ms, not 250 s."""
    lines = [combined(h, time=None) + f" {round(h.seconds * 1_000_000)}" for h in _hits()]
    write(tmp_path / "apache-us.log", lines)
    (route,) = _analyse(tmp_path, "apache-us.log").traffic.routes
    assert route.p95_ms == pytest.approx(250.0)


def test_app_logs_json_and_plain(tmp_path: Path) -> None:
    start = now() - timedelta(minutes=30)
    times = spread(6, start, timedelta(minutes=1))
    write(
        tmp_path / "app.jsonl",
        [
            app_json(t, "error", f"payment failed for order {i}", rid(i))
            for i, t in enumerate(times)
        ],
    )
    write(
        tmp_path / "app.log",
        [app_plain(t, "warning", f"slow query took {i} ms", rid(i)) for i, t in enumerate(times)],
    )
    analysis = _analyse(tmp_path, "app.jsonl", "app.log")
    by_path = {f.path: f for f in analysis.files}
    assert by_path["app.jsonl"].format == "json"
    assert by_path["app.log"].format == "plain"
    assert all(f.parsed == 6 and f.with_id == 6 for f in analysis.files)
    assert analysis.files[1].newest_ms == round(times[-1].timestamp() * 1000)
    assert analysis.error_lines == 6
    assert analysis.errors[0].template == "payment failed for order <NUM>"


def test_lines_that_do_not_parse_are_counted_and_shown_never_fatal(tmp_path: Path) -> None:
    lines = [combined(h) for h in _hits(8)]
    lines[3] = "\x00\x01 binary junk"
    lines.insert(5, "")
    lines.append('203.0.113.9 - - [not a time] "GET / HTTP/1.1" 200 1')
    write(tmp_path / "mixed.log", lines)
    (file,) = _analyse(tmp_path, "mixed.log").files
    assert (file.lines, file.parsed, file.unparsed) == (9, 7, 2)
    assert len(file.unparsed_examples) == 2
    assert "not a time" in file.unparsed_examples[1]


def test_apache_escaped_quotes_do_not_shift_fields(tmp_path: Path) -> None:
    hit = _hits(1)[0]
    line = combined(hit).replace(AGENT_MARK, 'curl \\"quoted\\" agent')
    write(tmp_path / "apache.log", [line])
    analysis = _analyse(tmp_path, "apache.log")
    assert analysis.files[0].parsed == 1
    assert analysis.traffic.routes[0].p95_ms == pytest.approx(250.0)


AGENT_MARK = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


def test_detection_prefers_the_format_most_lines_follow() -> None:
    hits = _hits(5)
    sample = [combined(h) for h in hits] + [app_plain(hits[0].at, "info", "x")]
    layout = detect(sample)
    assert layout is not None and layout.format is LogFormat.COMBINED
    assert detect([]) is None
    assert detect(["just words", "more words"]) is None


def test_parse_columns_line_up_with_the_lines() -> None:
    import polars as pl

    hits = _hits(3)
    text = "\n".join([combined(hits[0]), "garbage", combined(hits[2])]) + "\n"
    layout = detect(sample_lines(text.encode()))
    records = parse(pl.Series(text.splitlines()), layout, None)
    assert records.get_column("parsed").to_list() == [True, False, True]
    assert records.get_column("status").to_list() == [200, None, 200]
