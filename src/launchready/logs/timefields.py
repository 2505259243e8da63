"""Timestamps and durations as logs write them, parsed by polars expressions.

Every time becomes integer milliseconds since the epoch (UTC), every duration a float of
milliseconds, so files in different formats and zones land in one column. Each parser is
an expression, not a function called per line: the analysis runs it over a whole chunk
in native code. A value that does not parse becomes null and the line is counted, never
raised about, because one odd line must not end the analysis of a million good ones.
"""

from __future__ import annotations

import polars as pl

CLF_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
"""nginx ``$time_local`` and Apache ``%t``: ``22/Nov/2026:15:00:00 +0000``."""
ISO_PATTERN = (
    r"^\s*\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})"
    r"(?:[.,](\d{1,9}))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
"""ISO 8601 and the common near-misses (``2026-11-22 15:00:00,123`` of Python's logging),
with an optional zone; a time without a zone is read as UTC, as servers usually log."""
DURATION_PATTERN = r"^\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(ns|us|µs|ms|s|m)?\s*$"
UNIT_MS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}

EPOCH_MS_2001 = 978_307_200_000
"""Numbers below this many milliseconds are read as seconds: no log line predates 2001."""


def clf_ms(text: pl.Expr) -> pl.Expr:
    """``22/Nov/2026:15:00:00 +0000`` (brackets allowed) -> epoch ms, or null."""
    return (
        text.str.strip_chars("[] ")
        .str.strptime(pl.Datetime("ms", "UTC"), CLF_FORMAT, strict=False)
        .dt.epoch("ms")
    )


def iso_ms(text: pl.Expr) -> pl.Expr:
    """An ISO-8601-like time at the start of ``text`` -> epoch ms, or null.

    The parts are cut out with one regex and put back together in a fixed shape, so one
    column may mix ``T`` and space, ``,`` and ``.`` fractions, ``Z`` and ``+02:00``:
    polars' own inference reads a whole column with the format of its first value.
    """
    parts = text.str.extract_groups(ISO_PATTERN)
    field = parts.struct.field
    base = (
        pl.concat_str(
            [
                field("1"),
                pl.lit("-"),
                field("2"),
                pl.lit("-"),
                field("3"),
                pl.lit(" "),
                field("4"),
                pl.lit(":"),
                field("5"),
                pl.lit(":"),
                field("6"),
            ]
        )
        .str.strptime(pl.Datetime("ms"), "%Y-%m-%d %H:%M:%S", strict=False)
        .dt.epoch("ms")
    )
    fraction = (
        field("7").str.pad_end(3, "0").str.slice(0, 3).cast(pl.Int64, strict=False).fill_null(0)
    )
    zone = field("8").fill_null("Z").str.to_uppercase()
    digits = zone.str.replace_all(":", "", literal=True)
    sign = pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
    hours = digits.str.slice(1, 2).cast(pl.Int64, strict=False).fill_null(0)
    minutes = digits.str.slice(3, 2).cast(pl.Int64, strict=False).fill_null(0)
    offset_ms = pl.when(zone == "Z").then(0).otherwise(sign * (hours * 60 + minutes) * 60_000)
    return base + fraction - offset_ms


def epoch_ms(number: pl.Expr) -> pl.Expr:
    """A Unix time in s, ms, µs or ns (told apart by size) -> epoch ms."""
    value = number.cast(pl.Float64, strict=False)
    return (
        pl.when(value > 1e17)
        .then(value / 1e6)
        .when(value > 1e14)
        .then(value / 1e3)
        .when(value > EPOCH_MS_2001)
        .then(value)
        .otherwise(value * 1000)
        .round(0)
        .cast(pl.Int64, strict=False)
    )


def any_time_ms(text: pl.Expr) -> pl.Expr:
    """Whatever a JSON log put in its time field: a number, ISO text or the CLF form."""
    return pl.coalesce(epoch_ms(text), iso_ms(text), clf_ms(text))


def duration_ms(text: pl.Expr, default_unit_ms: float) -> pl.Expr:
    """``0.123``, ``123``, ``12ms``, ``1.5s`` -> milliseconds; a bare number is in the unit
    ``default_unit_ms`` says (1000.0 for seconds, 1.0 for milliseconds)."""
    parts = text.str.extract_groups(DURATION_PATTERN)
    value = parts.struct.field("1").cast(pl.Float64, strict=False)
    unit = parts.struct.field("2")
    factor = pl.lit(default_unit_ms, dtype=pl.Float64)
    for name, ms in UNIT_MS.items():
        factor = pl.when(unit == name).then(pl.lit(ms, dtype=pl.Float64)).otherwise(factor)
    return value * factor


__all__ = ["any_time_ms", "clf_ms", "duration_ms", "epoch_ms", "iso_ms"]
