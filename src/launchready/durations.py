"""Durations as the manifest and the CLI write them: ``500ms``, ``2s``, ``15m``, ``24h``, ``30d``.

A bare number is refused on purpose: ``timeout: 5`` could mean seconds or minutes, and a
launch gate must not guess.
"""

from __future__ import annotations

import re

from launchready.errors import DurationError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")


def parse_duration(text: str) -> float:
    """Return the duration in seconds, or raise DurationError naming the accepted units."""
    match = _PATTERN.match(text)
    if match is None:
        raise DurationError(
            f"{text!r} is not a duration: write a number and a unit (ms, s, m, h, d), "
            "e.g. 500ms or 2s"
        )
    return float(match.group(1)) * _UNITS[match.group(2)]


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of ``seconds`` in the manifest's units."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
