"""One chunk of one file, analysed: a pure function from bytes to a :class:`ChunkResult`.

Pure so that two chunks can be analysed at once on two threads (polars and hyperscan
release the GIL) while the caller merges results in file order; the merge is the only
place that touches the file's report, the error miner and the line numbering.

Per chunk, native code does the work: the lines become a polars column, the detected
format turns them into records, the records of the time window are cut down to four
compact columns (template, time, status, duration); the secret engine scans the bytes
once; customer data and error messages are picked out with polars expressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from launchready.logs.detect import Layout
from launchready.logs.errortemplates import distinct_messages
from launchready.logs.exposure import scan_pii, scan_secrets
from launchready.logs.formats import parse
from launchready.logs.stats import TRAFFIC_SCHEMA
from launchready.logs.templates import with_keys
from launchready.secrets import Match, Scanner

EXAMPLES = 3
EXAMPLE_CHARS = 160


@dataclass(frozen=True)
class ChunkJob:
    """Everything one chunk needs; ``first_line`` is the file line number of its first
    line, so matches and hits carry real line numbers."""

    data: bytes
    first_line: int
    layout: Layout | None
    shown: str
    """The file as reports name it."""
    request_id: str | None
    since_ms: int | None
    own_domains: tuple[str, ...]


@dataclass
class ChunkResult:
    lines: int = 0
    parsed: int = 0
    in_window: int = 0
    with_id: int = 0
    first_ms: int | None = None
    newest_ms: int | None = None
    examples: list[str] = field(default_factory=list)
    secrets: list[Match] = field(default_factory=list)
    pii: list[tuple[str, int, int, str]] = field(default_factory=list)
    messages: Mapping[str, int] = field(default_factory=dict)
    requests: pl.DataFrame | None = None


def split_lines(data: bytes) -> pl.Series:
    """A chunk as one string column, row i being line i (a final newline ends the last
    line; it does not start an empty one). Carriage returns of CRLF files are dropped."""
    text = data.decode("utf-8", "replace")
    lines = pl.Series("line", [text]).str.split("\n").explode()
    if data.endswith(b"\n"):
        lines = lines.head(len(lines) - 1)
    return lines.str.strip_chars_end("\r") if b"\r" in data else lines


def line_count(data: bytes) -> int:
    """How many lines :func:`split_lines` makes of ``data``."""
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def analyse_chunk(job: ChunkJob, scanner: Scanner) -> ChunkResult:
    """Counts, time span, examples of unparsed lines, secrets, customer data, distinct
    error messages and the kept requests of one chunk."""
    lines = split_lines(job.data)
    records = parse(lines, job.layout, job.request_id).with_columns(
        lines.str.contains(r"\S").alias("nonempty")
    )
    since = job.since_ms
    recent = pl.col("ts").is_null() | (pl.col("ts") >= since) if since is not None else None
    in_window = pl.col("parsed") & recent if recent is not None else pl.col("parsed")
    summary = records.select(
        pl.col("nonempty").sum().alias("lines"),
        pl.col("parsed").sum().alias("parsed"),
        pl.col("ts").filter(pl.col("parsed")).min().alias("first"),
        pl.col("ts").filter(pl.col("parsed")).max().alias("newest"),
        in_window.sum().alias("in_window"),
        (in_window & pl.col("rid")).sum().alias("with_id"),
    ).row(0, named=True)
    result = ChunkResult(
        lines=summary["lines"],
        parsed=summary["parsed"],
        in_window=summary["in_window"],
        with_id=summary["with_id"],
        first_ms=summary["first"],
        newest_ms=summary["newest"],
    )
    if result.parsed < result.lines:
        odd = (
            pl.DataFrame({"line": lines, "parsed": records.get_column("parsed")})
            .filter(~pl.col("parsed") & pl.col("line").str.contains(r"\S"))
            .get_column("line")
            .head(EXAMPLES)
            .to_list()
        )
        result.examples = [line[:EXAMPLE_CHARS] for line in odd]
    keep = records.select(recent).to_series() if recent is not None else None
    result.secrets = scan_secrets(scanner, job.data, job.shown, job.first_line, keep)
    result.pii = scan_pii(lines, job.first_line, keep, job.own_domains)
    current = records.filter(in_window)
    result.messages = distinct_messages(current)
    requests = current.filter(pl.col("path").is_not_null() & pl.col("status").is_not_null())
    if not requests.is_empty():
        result.requests = with_keys(requests).select(list(TRAFFIC_SCHEMA)).cast(TRAFFIC_SCHEMA)
    return result


__all__ = ["ChunkJob", "ChunkResult", "analyse_chunk", "line_count", "split_lines"]
