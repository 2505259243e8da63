"""Log formats, detected per file from a sample of its first lines.

Detection reads a few hundred lines in Python (speed does not matter there) and decides
the format and where its fields sit: which JSON key holds the status, whether a combined
line ends with a request time in seconds, milliseconds or microseconds. The chunk parsers
of :mod:`.formats` then apply that :class:`Layout` to millions of lines in native code.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class LogFormat(StrEnum):
    """The formats the readers understand; the value is what reports show."""

    COMBINED = "combined"
    """nginx/Apache combined or common, optionally followed by a request time and an ID."""
    CADDY = "caddy"
    """Caddy's JSON access log (``http.log.access``)."""
    JSON = "json"
    """JSON lines with the usual field names."""
    PLAIN = "plain"
    """Plain-text application logs: a time and/or a level, then a message."""


SECONDS, MILLISECONDS, MICROSECONDS, NANOSECONDS = 1000.0, 1.0, 0.001, 1e-6
SAMPLE_LINES = 400

_Q = r'"(?:[^"\\]|\\.)*"'
COMBINED_RE = re.compile(rf"^\S+ \S+ .*?\[[^\]]+\] {_Q} \d{{3}} \S+(?: {_Q} {_Q})?(?P<rest>.*)$")
"""nginx/Apache ``combined`` (or ``common``, without referer and agent), in Python for the
sample; the chunk parser splits on quotes instead, which polars does many times faster."""
TIME_TOKEN = r'(?:^|\s)"?(\d{1,9}(?:\.\d{1,9})?(?:ns|us|µs|ms|s)?)"?(?:\s|$)'
"""The first number standing alone after the fixed fields: ``$request_time``, ``%D``...
(at most nine digits, so an all-digit ``$request_id`` is not read as a time)."""
_TIME_TOKEN_RE = re.compile(TIME_TOKEN)
LEVEL_PATTERN = (
    r"(?i)\b(trace|debug|info|notice|warn|warning|error|err|critical|crit|fatal|alert|"
    r"emerg|emergency|panic|severe)\b"
)
LEVEL_SPAN = 100
"""A plain line's level is looked for in its first characters only: the word ``error``
later in an INFO line's message does not make it an error line."""
_LEVEL_RE = re.compile(LEVEL_PATTERN)
_ISO_START_RE = re.compile(r"^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
_REQUEST_LINE_RE = re.compile(r"^[A-Z]{3,10} \S+")

ROLE_NAMES: Mapping[str, tuple[str, ...]] = {
    "time": ("ts", "time", "timestamp", "datetime", "date", "timelocal", "timeiso8601", "t"),
    "status": ("status", "statuscode", "httpstatus", "responsestatus", "httpstatuscode"),
    "path": ("path", "uri", "url", "requesturi", "requestpath", "requesturl"),
    "method": ("method", "httpmethod", "requestmethod", "verb"),
    "duration": (
        "duration",
        "durationms",
        "requesttime",
        "latency",
        "latencyms",
        "responsetime",
        "responsetimems",
        "elapsed",
        "elapsedms",
        "took",
        "tookms",
    ),
    "level": ("level", "severity", "levelname", "loglevel", "lvl"),
    "message": ("message", "msg", "event", "errormessage", "error"),
    "request": ("request",),
}
"""Field names per role (lowercased, punctuation removed), most likely first."""


@dataclass(frozen=True)
class Layout:
    """What detection learned about one file."""

    format: LogFormat
    fields: Mapping[str, str] = field(default_factory=dict)
    """Role -> JSON path (``$.request.uri``), for the JSON formats."""
    duration_unit_ms: float = SECONDS
    """What a bare duration number means, in milliseconds."""
    sample_share: float = 0.0
    """Share of the sample's non-empty lines this format read."""

    def describe(self) -> str:
        """``combined + request time (s)``: the format as the report shows it."""
        unit = {SECONDS: "s", MILLISECONDS: "ms", MICROSECONDS: "µs", NANOSECONDS: "ns"}
        if self.format is LogFormat.COMBINED and "duration" in self.fields:
            return f"combined + request time ({unit.get(self.duration_unit_ms, '?')})"
        return self.format.value


def sample_lines(data: bytes, limit: int = SAMPLE_LINES) -> list[str]:
    """The first ``limit`` non-empty lines of a chunk, decoded leniently."""
    lines: list[str] = []
    for raw in data[: 1 << 20].split(b"\n"):
        text = raw.decode("utf-8", "replace").strip("\r")
        if text.strip():
            lines.append(text)
            if len(lines) >= limit:
                break
    return lines


def detect(sample: Sequence[str]) -> Layout | None:
    """The format that reads most of ``sample`` (None when none reads a line).

    Ties go to the more specific format (Caddy, then JSON, then combined, then plain):
    a JSON line that also has a time at its start is still JSON.
    """
    if not sample:
        return None
    objects = [o for o in (_json_object(line) for line in sample) if o is not None]
    combined = [m for m in (COMBINED_RE.match(line) for line in sample) if m is not None]
    plain = [line for line in sample if _plain_line(line)]
    caddy = [o for o in objects if _is_caddy(o)]
    total = len(sample)
    candidates: list[tuple[int, Layout]] = []
    if caddy:
        candidates.append((len(caddy), _json_layout(caddy, LogFormat.CADDY, total)))
    if objects:
        candidates.append((len(objects), _json_layout(objects, LogFormat.JSON, total)))
    if combined:
        candidates.append((len(combined), _combined_layout(combined, total)))
    if plain:
        candidates.append((len(plain), Layout(LogFormat.PLAIN, sample_share=len(plain) / total)))
    if not candidates:
        return None
    best = max(count for count, _ in candidates)
    return next(layout for count, layout in candidates if count == best)


def _json_object(line: str) -> dict[str, Any] | None:
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _is_caddy(obj: Mapping[str, Any]) -> bool:
    request = obj.get("request")
    logger = obj.get("logger")
    return (
        isinstance(request, dict)
        and "uri" in request
        and (
            (isinstance(logger, str) and logger.startswith("http.log.access"))
            or "resp_headers" in obj
        )
    )


def _plain_line(line: str) -> bool:
    return bool(_ISO_START_RE.match(line) or _LEVEL_RE.search(line[:LEVEL_SPAN]))


def _combined_layout(matches: Sequence[re.Match[str]], total: int) -> Layout:
    """A trailing number is the request time; its unit is read from the sample: a
    fraction means seconds (nginx ``$request_time``), whole numbers milliseconds, and
    whole numbers in the tens of thousands microseconds (Apache ``%D``): no page takes
    ten seconds at the median."""
    tokens = [t.group(1) for m in matches if (t := _TIME_TOKEN_RE.search(m.group("rest")))]
    fields: dict[str, str] = {}
    unit = SECONDS
    if len(tokens) * 2 >= len(matches):
        fields["duration"] = "trailing"
        bare = [t for t in tokens if t[-1].isdigit()]
        if bare and not any("." in t for t in bare):
            numbers = [float(t) for t in bare]
            unit = MICROSECONDS if statistics.median(numbers) >= 10_000 else MILLISECONDS
    return Layout(LogFormat.COMBINED, fields, unit, len(matches) / total)


def _flatten(
    obj: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in obj.items():
        path = (*prefix, str(key))
        if isinstance(value, dict) and len(path) < 4:
            yield from _flatten(value, path)
        else:
            yield path, value


def _json_path(keys: tuple[str, ...]) -> str:
    return "$" + "".join(
        f".{k}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) else f"['{k}']" for k in keys
    )


def _json_layout(objects: Sequence[Mapping[str, Any]], fmt: LogFormat, total: int) -> Layout:
    """For each role, the key path that holds it in most sample objects (shallow first)."""
    seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
    values: dict[tuple[str, ...], list[Any]] = {}
    for obj in objects:
        for keys, value in _flatten(obj):
            name = re.sub(r"[^a-z0-9@]", "", keys[-1].lower()).lstrip("@")
            for role, names in ROLE_NAMES.items():
                if name in names and _fits(role, value):
                    seen[(role, keys)] += 1
                    values.setdefault(keys, []).append(value)
    fields: dict[str, str] = {}
    chosen: dict[str, tuple[str, ...]] = {}
    for role, names in ROLE_NAMES.items():
        options = [(count, keys) for (r, keys), count in seen.items() if r == role]
        if not options:
            continue

        def rank(
            option: tuple[int, tuple[str, ...]], names: tuple[str, ...] = names
        ) -> tuple[int, int, int]:
            count, keys = option
            name = re.sub(r"[^a-z0-9]", "", keys[-1].lower())
            return (-count, len(keys), names.index(name) if name in names else len(names))

        keys = min(options, key=rank)[1]
        chosen[role] = keys
        fields[role] = _json_path(keys)
    if "path" not in fields and "request" in fields:
        fields["request_line"] = fields["request"]
    fields.pop("request", None)
    unit = _json_duration_unit(fmt, chosen.get("duration"), values)
    return Layout(fmt, fields, unit, len(objects) / total)


def _fits(role: str, value: Any) -> bool:
    """Whether ``value`` can be what ``role`` says (a status is a number from 100 to 599, a
    path starts with ``/`` or a scheme...), so ``"status": "shipped"`` is not a status."""
    if role == "status":
        return str(value).isdigit() and 100 <= int(str(value)) <= 599
    if role == "path":
        return isinstance(value, str) and (value.startswith("/") or "://" in value)
    if role == "request":
        return isinstance(value, str) and bool(_REQUEST_LINE_RE.match(value))
    if role == "method":
        return isinstance(value, str) and value.isalpha() and value.upper() == value
    if role == "duration":
        return (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str)
            and re.fullmatch(r"\d+(\.\d+)?\s*(ns|us|µs|ms|s)?", value) is not None
        )
    if role in ("level", "message"):
        return isinstance(value, str | int) and not isinstance(value, bool)
    return value is not None and not isinstance(value, bool | list | dict)


def _json_duration_unit(
    fmt: LogFormat, keys: tuple[str, ...] | None, values: Mapping[tuple[str, ...], list[Any]]
) -> float:
    """The unit of a bare duration number: Caddy and nginx's ``request_time`` write
    seconds; a name ending in ``_ms``/``Ms`` says milliseconds (``_us``, ``_ns``, ``_s``
    likewise); otherwise fractions under a minute mean seconds and whole numbers
    milliseconds, the habits of Go, Python and Node loggers."""
    if keys is None:
        return SECONDS
    name = keys[-1]
    suffixes = (
        (r"(?:_|-|(?<=[a-z])(?=M))(?:ms|Ms|millis|Millis)$", MILLISECONDS),
        (r"(?:_|-|(?<=[a-z])(?=U))(?:us|Us|micros|Micros)$", MICROSECONDS),
        (r"(?:_|-|(?<=[a-z])(?=N))(?:ns|Ns|nanos|Nanos)$", NANOSECONDS),
        (r"(?:_|-)(?:s|sec|secs|seconds)$", SECONDS),
    )
    for pattern, unit in suffixes:
        if re.search(pattern, name):
            return unit
    if fmt is LogFormat.CADDY or re.sub(r"[^a-z]", "", name.lower()) == "requesttime":
        return SECONDS
    numbers = [v for v in values.get(keys, []) if isinstance(v, int | float)]
    fractional = any(isinstance(v, float) and not v.is_integer() for v in numbers)
    return SECONDS if numbers and fractional and max(numbers) < 60 else MILLISECONDS


__all__ = [
    "LEVEL_PATTERN",
    "LEVEL_SPAN",
    "TIME_TOKEN",
    "Layout",
    "LogFormat",
    "detect",
    "sample_lines",
]
