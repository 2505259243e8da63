"""The chunk parsers: one polars plan per format, over a whole chunk of lines at once.

No Python code runs per line, which is what makes a gigabyte of access log a matter of
seconds. Every format yields the same columns, aligned with the chunk's lines (row i is
line i): ``ts`` (epoch ms), ``method``, ``path``, ``status``, ``dur`` (ms), ``rid`` (the
line carries a request ID), ``level``, ``message`` and ``parsed``. Where each field sits
comes from :func:`.detect.detect`.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from launchready.logs.detect import LEVEL_PATTERN, LEVEL_SPAN, TIME_TOKEN, Layout, LogFormat
from launchready.logs.requestid import bare_id_pattern, keyed_pattern
from launchready.logs.timefields import any_time_ms, clf_ms, duration_ms, iso_ms

RECORD_SCHEMA: Mapping[str, pl.DataType] = {
    "ts": pl.Int64(),
    "method": pl.String(),
    "path": pl.String(),
    "status": pl.Int16(),
    "dur": pl.Float64(),
    "rid": pl.Boolean(),
    "level": pl.String(),
    "message": pl.String(),
    "parsed": pl.Boolean(),
}

_ISO_PREFIX = (
    r"^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?\]?"
)


def parse(lines: pl.Series, layout: Layout | None, request_id: str | None) -> pl.DataFrame:
    """One row per line of ``lines`` with the columns of :data:`RECORD_SCHEMA`."""
    frame = pl.DataFrame({"line": lines}).lazy()
    if layout is None:
        columns = [pl.lit(None, dtype=d).alias(n) for n, d in RECORD_SCHEMA.items()]
        nothing = frame.with_columns(columns).with_columns(pl.lit(False).alias("parsed"))
        return nothing.drop("line").collect()
    match layout.format:
        case LogFormat.COMBINED:
            escaped = bool(lines.str.contains('\\"', literal=True).any())
            staged = _combined(frame, layout, request_id, escaped)
        case LogFormat.CADDY | LogFormat.JSON:
            staged = frame.select(_json(layout, request_id))
        case LogFormat.PLAIN:
            staged = frame.select(_plain(request_id))
    return staged.select(_typed()).collect()


def _typed() -> list[pl.Expr]:
    return [pl.col(n).cast(d, strict=False) for n, d in RECORD_SCHEMA.items()]


def _combined(
    frame: pl.LazyFrame, layout: Layout, request_id: str | None, apache_escapes: bool
) -> pl.LazyFrame:
    """Split on quotes, then on spaces: the fields are computed once each, in stages,
    because polars would otherwise split the line again for every field taken from it."""
    # Apache escapes a quote inside a field as \" ; nginx writes \x22. Making Apache's
    # form quote-free first lets a plain split on '"' find the fields of both.
    line = pl.col("line")
    if apache_escapes:
        line = line.str.replace_all('\\"', "'", literal=True)
    quoted = (
        frame.select(line.str.splitn('"', 7).alias("q"))
        .unnest("q")
        .select(
            pl.col("field_0").str.extract(r"\[([^\]]+)\]\s*$", 1).alias("time"),
            pl.col("field_1").str.splitn(" ", 3).alias("request"),
            pl.col("field_2").str.strip_chars().str.splitn(" ", 3).alias("numbers"),
            pl.col("field_6").alias("after_agent"),
        )
        .select(
            pl.col("time"),
            pl.col("request").struct.field("field_0").alias("method"),
            pl.col("request").struct.field("field_1").alias("path"),
            pl.col("numbers").struct.field("field_0").cast(pl.Int16, strict=False).alias("status"),
            pl.coalesce(
                pl.col("after_agent"), pl.col("numbers").struct.field("field_2"), pl.lit("")
            ).alias("trailing"),
        )
    )
    trailing = pl.col("trailing")
    dur = (
        duration_ms(trailing.str.extract(TIME_TOKEN, 1), layout.duration_unit_ms)
        if "duration" in layout.fields
        else pl.lit(None, dtype=pl.Float64)
    )
    rid = trailing.str.contains(keyed_pattern(request_id)) | trailing.str.contains(
        bare_id_pattern()
    )
    return (
        quoted.with_columns(clf_ms(pl.col("time")).alias("ts"))
        .with_columns(
            (
                pl.col("ts").is_not_null()
                & pl.col("status").is_between(100, 599)
                & pl.col("path").is_not_null()
            ).alias("parsed")
        )
        .select(
            pl.col("ts"),
            pl.col("method"),
            pl.col("path"),
            pl.col("status"),
            dur.alias("dur"),
            (rid & pl.col("parsed")).alias("rid"),
            pl.lit(None, dtype=pl.String).alias("level"),
            pl.lit(None, dtype=pl.String).alias("message"),
            pl.col("parsed"),
        )
    )


def _json(layout: Layout, request_id: str | None) -> list[pl.Expr]:
    line = pl.col("line")

    def get(role: str) -> pl.Expr:
        where = layout.fields.get(role)
        return line.str.json_path_match(where) if where else pl.lit(None, dtype=pl.String)

    method, path = get("method"), get("path")
    if "request_line" in layout.fields:
        request = get("request_line").str.splitn(" ", 3)
        method = request.struct.field("field_0")
        path = request.struct.field("field_1")
    status = get("status").cast(pl.Int16, strict=False)
    ts = any_time_ms(get("time")) if "time" in layout.fields else pl.lit(None, dtype=pl.Int64)
    dur = duration_ms(get("duration"), layout.duration_unit_ms)
    level = _level_name(get("level"))
    message = get("message")
    is_object = line.str.strip_chars_start().str.starts_with("{")
    valid = is_object & pl.any_horizontal(
        ts.is_not_null(), status.is_not_null(), level.is_not_null(), message.is_not_null()
    )
    return [
        ts.alias("ts"),
        method.alias("method"),
        path.alias("path"),
        pl.when(status.is_between(100, 599)).then(status).alias("status"),
        dur.alias("dur"),
        (line.str.contains(keyed_pattern(request_id)) & valid).alias("rid"),
        level.alias("level"),
        message.alias("message"),
        valid.alias("parsed"),
    ]


def _level_name(raw: pl.Expr) -> pl.Expr:
    """Text levels lowercased; pino/bunyan numbers (50 error, 60 fatal) named."""
    number = raw.cast(pl.Int64, strict=False)
    return (
        pl.when(number >= 60)
        .then(pl.lit("fatal"))
        .when(number >= 50)
        .then(pl.lit("error"))
        .when(number >= 40)
        .then(pl.lit("warn"))
        .when(number >= 30)
        .then(pl.lit("info"))
        .when(number.is_not_null())
        .then(pl.lit("debug"))
        .otherwise(raw.str.to_lowercase())
    )


def _plain(request_id: str | None) -> list[pl.Expr]:
    line = pl.col("line")
    ts = iso_ms(line)
    level = line.str.slice(0, LEVEL_SPAN).str.extract(LEVEL_PATTERN, 1).str.to_lowercase()
    message = (
        line.str.replace(_ISO_PREFIX, "")
        .str.replace(LEVEL_PATTERN, "")
        .str.replace(r"^[\s\-:|]*(?:\[[^\]]*\]\s*)*", "")
        .str.strip_chars(" \t-:|")
    )
    valid = ts.is_not_null() | level.is_not_null()
    return [
        ts.alias("ts"),
        pl.lit(None, dtype=pl.String).alias("method"),
        pl.lit(None, dtype=pl.String).alias("path"),
        pl.lit(None, dtype=pl.Int16).alias("status"),
        pl.lit(None, dtype=pl.Float64).alias("dur"),
        (line.str.contains(keyed_pattern(request_id)) & valid).alias("rid"),
        level.alias("level"),
        pl.when(valid).then(message).alias("message"),
        valid.alias("parsed"),
    ]


__all__ = ["RECORD_SCHEMA", "parse"]
