"""Files, globs, folders and gzip rotations, on real files."""

from __future__ import annotations

import gzip
import os
from datetime import timedelta
from pathlib import Path

import pytest

from launchready.logs import Options, analyse, path_sources
from launchready.logs.sources import ReadState, chunks, expand

from .logfiles import Hit, combined, luhn_card, now, spread, write


def _day(offset_hours: float, count: int = 5) -> list[str]:
    start = now() - timedelta(hours=offset_hours)
    return [
        combined(Hit(at, path=f"/p/{i}"))
        for i, at in enumerate(spread(count, start, timedelta(minutes=1)))
    ]


def _rotations(folder: Path) -> None:
    """logrotate's layout: the live file, .1 plain (delaycompress), .2.gz and .3.gz."""
    write(folder / "access.log.3.gz", _day(72), gz=True)
    write(folder / "access.log.2.gz", _day(48), gz=True)
    write(folder / "access.log.1", _day(24))
    write(folder / "access.log", _day(1))
    for age, name in ((72, "access.log.3.gz"), (48, "access.log.2.gz"), (24, "access.log.1")):
        stamp = (now() - timedelta(hours=age - 1)).timestamp()
        os.utime(folder / name, (stamp, stamp))


def test_glob_reads_rotations_gzip_included(tmp_path: Path) -> None:
    _rotations(tmp_path / "nginx")
    source = expand("nginx/access.log*", "access", tmp_path)
    assert [p.name for p in source.files] == [
        "access.log.3.gz",
        "access.log.2.gz",
        "access.log.1",
        "access.log",
    ]
    analysis = analyse([source], Options(now=now(), base=tmp_path))
    assert analysis.traffic.requests == 20
    assert [f.compressed for f in analysis.files] == [True, True, False, False]
    assert all(f.format == "combined + request time (s)" for f in analysis.files)


def test_a_folder_means_every_file_below_it(tmp_path: Path) -> None:
    _rotations(tmp_path / "logs" / "nginx")
    write(tmp_path / "logs" / "old" / "access.log-20261101", _day(30))
    analysis = analyse(path_sources(["logs"], tmp_path), Options(now=now(), base=tmp_path))
    assert len(analysis.files) == 5
    assert analysis.traffic.requests == 25


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    path = write(tmp_path / "access.log.1", _day(2), gz=True)
    analysis = analyse(path_sources([str(path)], tmp_path), Options(now=now(), base=tmp_path))
    assert analysis.files[0].compressed
    assert analysis.traffic.requests == 5


def test_the_window_skips_rotations_written_before_it(tmp_path: Path) -> None:
    _rotations(tmp_path)
    options = Options(now=now(), since=now() - timedelta(hours=30), base=tmp_path)
    analysis = analyse([expand("access.log*", "access", tmp_path)], options)
    skipped = {f.path for f in analysis.files if f.skipped}
    assert skipped == {"access.log.3.gz", "access.log.2.gz"}
    assert analysis.traffic.requests == 10


def test_a_truncated_gzip_is_an_error_of_that_file_only(tmp_path: Path) -> None:
    good = write(tmp_path / "access.log", _day(1))
    data = gzip.compress("\n".join(_day(2, 2000)).encode())
    (tmp_path / "access.log.1.gz").write_bytes(data[: len(data) // 2])
    analysis = analyse(path_sources(["access.log*"], tmp_path), Options(now=now(), base=tmp_path))
    by_name = {Path(f.path).name: f for f in analysis.files}
    assert by_name["access.log.1.gz"].error is not None
    assert by_name[good.name].error is None
    assert analysis.traffic.requests >= 5


def test_missing_paths_say_why(tmp_path: Path) -> None:
    assert expand("nope.log", "app", tmp_path).problem == "no such file or folder"
    assert expand("logs/*.log", "app", tmp_path).problem == "the pattern matches no file"
    (tmp_path / "empty").mkdir()
    assert expand("empty", "app", tmp_path).problem == "the folder holds no file"


def test_chunks_end_on_lines_and_cover_the_file(tmp_path: Path) -> None:
    lines = _day(1, 500)
    path = write(tmp_path / "a.log", lines)
    state = ReadState()
    pieces = list(chunks(path, state, chunk_bytes=4096))
    assert len(pieces) > 10
    assert all(p.endswith(b"\n") for p in pieces)
    assert b"".join(pieces) == path.read_bytes()
    assert state.error is None and not state.compressed


def test_progress_counts_every_byte_on_disk(tmp_path: Path) -> None:
    path = write(tmp_path / "a.log.gz", _day(1, 300), gz=True)
    seen: list[int] = []
    list(chunks(path, ReadState(), seen.append, chunk_bytes=1024))
    assert sum(seen) == path.stat().st_size


def test_progress_of_an_analysis_adds_up_to_the_bytes_on_disk(tmp_path: Path) -> None:
    from launchready.logs.sources import total_bytes

    _rotations(tmp_path)
    sources = [expand("access.log*", "access", tmp_path)]
    seen: list[int] = []
    since = now() - timedelta(hours=30)  # two rotations are skipped, and still counted
    analyse(sources, Options(now=now(), since=since, base=tmp_path), progress=seen.append)
    assert sum(seen) == total_bytes(sources)


def test_many_small_chunks_give_the_same_answer_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are analysed two at a time and merged in order: line numbers, counts and
    percentiles must not depend on where the chunks were cut."""
    lines = _day(3, 3000)
    lines[2500] += " card=" + luhn_card()
    lines[40] += " jane@example.com"
    write(tmp_path / "a.log", lines)

    def run() -> tuple[object, ...]:
        analysis = analyse(path_sources(["a.log"], tmp_path), Options(now=now(), base=tmp_path))
        (file,) = analysis.files
        pii = sorted((k, h.count, h.first_line) for k, h in file.exposure.pii.items())
        return file.lines, file.parsed, pii, analysis.traffic.routes[0].p95_ms

    whole = run()
    monkeypatch.setattr("launchready.logs.sources.CHUNK_BYTES", 4096)
    assert run() == whole
    assert whole[2] == [("card number", 1, 2501), ("email address", 1, 41)]
