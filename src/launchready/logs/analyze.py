"""The analysis: every file of every setting, a chunk at a time, into one LogAnalysis.

Each chunk is analysed in native code (:mod:`.chunk`); Python touches only what is left:
candidate card numbers, distinct masked error messages, findings. So memory is a few
chunks plus ~20 bytes a request, and time is dominated by native parsing.

This is blocking work (seconds for a large log): async callers run it with
``asyncio.to_thread``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import polars as pl

from launchready.logs.chunk import ChunkJob, ChunkResult, analyse_chunk, line_count
from launchready.logs.detect import Layout, detect, sample_lines
from launchready.logs.errortemplates import ErrorMiner
from launchready.logs.exposure import scrub
from launchready.logs.model import EXAMPLES_PER_FILE, FileReport, LogAnalysis, Options, SourceReport
from launchready.logs.sources import ReadState, Source, chunks
from launchready.logs.stats import empty_traffic, traffic
from launchready.logs.templates import RouteMap
from launchready.secrets import Scanner

WORKERS = 2
"""Chunks analysed at once: the machines this runs on have two cores or more, and a
third chunk in flight would only add memory."""

Progress = Callable[[int], None]


def analyse(
    sources: Sequence[Source],
    options: Options,
    *,
    scanner: Scanner | None = None,
    progress: Progress | None = None,
) -> LogAnalysis:
    """Read every file of ``sources`` and return what they say. Never raises for a bad
    file or line: those are counted and reported."""
    engine = scanner if scanner is not None else Scanner()
    miner = ErrorMiner()
    kept: list[pl.DataFrame] = []
    reports: list[SourceReport] = []
    for source in sources:
        report = SourceReport(source.spec, source.kind, source.problem)
        reports.append(report)
        newest = source.files[-1] if source.files else None
        for path in source.files:
            file = FileReport(
                path=display_path(path, options.base),
                source=source.spec,
                kind=source.kind,
                mtime_ms=_mtime_ms(path),
            )
            report.files.append(file)
            since = options.since_ms
            if since is not None and path != newest and file.mtime_ms < since:
                # Untouched since before the window: every line in it is older.
                file.skipped = "last written before the window"
                if progress is not None:
                    progress(_size(path))
                continue
            kept += _read_file(path, file, options, engine, miner, progress)
    frame = pl.concat(kept, rechunk=False) if kept else empty_traffic()
    files = [f for r in reports for f in r.files]
    secrets = [m for f in files for m in f.exposure.secrets.values()]
    for file in files:
        file.unparsed_examples = [scrub(e, secrets) for e in file.unparsed_examples]
    scrubbed = [replace(t, template=scrub(t.template, secrets)) for t in miner.templates()]
    return LogAnalysis(
        options=options,
        sources=reports,
        traffic=traffic(frame),
        errors=scrubbed,
        error_lines=miner.lines,
        route_map=RouteMap(options.routes),
    )


def _read_file(
    path: Path,
    file: FileReport,
    options: Options,
    scanner: Scanner,
    miner: ErrorMiner,
    progress: Progress | None,
) -> list[pl.DataFrame]:
    """One file's kept requests; everything else it holds goes into ``file``.

    Chunks are read here, in order, and analysed :data:`WORKERS` at a time on a thread
    pool (the native work releases the GIL, so two chunks use both cores); results are
    merged in file order, with at most ``WORKERS + 1`` chunks in memory at once.
    """
    state = ReadState()
    layout: Layout | None = None
    detected = False
    kept: list[pl.DataFrame] = []
    line_number = 1
    pending: deque[Future[ChunkResult]] = deque()
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="logs") as pool:
        for data in chunks(path, state, progress):
            if not detected:
                layout = detect(sample_lines(data))
                file.format = layout.describe() if layout is not None else None
                detected = True
            job = ChunkJob(
                data=data,
                first_line=line_number,
                layout=layout,
                shown=file.path,
                request_id=options.request_id,
                since_ms=options.since_ms,
                own_domains=options.own_domains,
            )
            line_number += line_count(data)
            pending.append(pool.submit(analyse_chunk, job, scanner))
            if len(pending) >= WORKERS:
                kept += _merge(pending.popleft().result(), file, miner)
        while pending:
            kept += _merge(pending.popleft().result(), file, miner)
    file.compressed = state.compressed
    file.error = state.error
    return kept


def _merge(result: ChunkResult, file: FileReport, miner: ErrorMiner) -> list[pl.DataFrame]:
    """Fold one chunk's result into its file's report, in file order."""
    file.lines += result.lines
    file.parsed += result.parsed
    file.in_window += result.in_window
    file.with_id += result.with_id
    file.first_ms = _min(file.first_ms, result.first_ms)
    file.newest_ms = _max(file.newest_ms, result.newest_ms)
    room = EXAMPLES_PER_FILE - len(file.unparsed_examples)
    file.unparsed_examples += result.examples[: max(room, 0)]
    for match in result.secrets:
        file.exposure.add_secret(match)
    for kind, count, line, example in result.pii:
        file.exposure.add_pii(kind, count, line, example)
    if result.messages:
        miner.add(file.source, result.messages)
    return [result.requests] if result.requests is not None else []


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _mtime_ms(path: Path) -> int:
    try:
        return round(path.stat().st_mtime * 1000)
    except OSError:
        return 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def display_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when below it (how the report names files)."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return os.fspath(path)


__all__ = ["analyse", "display_path"]
