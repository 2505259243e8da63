"""Real log lines in every supported format, written to real files by the tests.

Each writer takes a :class:`Hit` (one request or one app message) and spells it the way
the server or logger in question does, so the readers are tested against the formats as
they exist, not against a parser's own idea of them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@dataclass(frozen=True)
class Hit:
    at: datetime
    path: str = "/"
    method: str = "GET"
    status: int = 200
    seconds: float = 0.05
    request_id: str | None = None


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def clf_time(at: datetime) -> str:
    """nginx ``$time_local`` in English whatever the locale."""
    return f"{at:%d}/{MONTHS[at.month - 1]}/{at:%Y:%H:%M:%S} +0000"


def combined(hit: Hit, *, time: str | None = "s", rid_style: str = "bare") -> str:
    """nginx ``combined`` plus ``$request_time`` (``time="s"``), an integer in ms
    (``"ms"``), or nothing (None); the request ID appended bare (``$request_id``) or as
    ``rid=...``."""
    line = (
        f'203.0.113.7 - - [{clf_time(hit.at)}] "{hit.method} {hit.path} HTTP/1.1" '
        f'{hit.status} 512 "https://shop.test/" "{AGENT}"'
    )
    if time == "s":
        line += f" {hit.seconds:.3f}"
    elif time == "ms":
        line += f" {round(hit.seconds * 1000)}"
    if hit.request_id is not None:
        line += f" {hit.request_id}" if rid_style == "bare" else f" rid={hit.request_id}"
    return line


def common(hit: Hit) -> str:
    """Apache ``common`` (no referer, no agent)."""
    return (
        f'198.51.100.2 - frank [{clf_time(hit.at)}] "{hit.method} {hit.path} HTTP/1.0" '
        f"{hit.status} 2326"
    )


def caddy(hit: Hit) -> str:
    headers: dict[str, list[str]] = {"User-Agent": [AGENT]}
    if hit.request_id is not None:
        headers["X-Request-Id"] = [hit.request_id]
    return json.dumps(
        {
            "level": "info",
            "ts": hit.at.timestamp(),
            "logger": "http.log.access.log0",
            "msg": "handled request",
            "request": {
                "remote_ip": "127.0.0.1",
                "proto": "HTTP/2.0",
                "method": hit.method,
                "host": "shop.test",
                "uri": hit.path,
                "headers": headers,
            },
            "bytes_read": 0,
            "duration": hit.seconds,
            "size": 512,
            "status": hit.status,
            "resp_headers": {"Server": ["Caddy"]},
        }
    )


def json_access(hit: Hit) -> str:
    """An app's own request log: ISO time, ``duration_ms``, ``request_id``."""
    record: dict[str, object] = {
        "time": hit.at.isoformat().replace("+00:00", "Z"),
        "level": "error" if hit.status >= 500 else "info",
        "method": hit.method,
        "path": hit.path,
        "status": hit.status,
        "duration_ms": round(hit.seconds * 1000, 1),
        "message": f"{hit.method} {hit.path} -> {hit.status}",
    }
    if hit.request_id is not None:
        record["request_id"] = hit.request_id
    return json.dumps(record)


def app_json(at: datetime, level: str, message: str, request_id: str | None = None) -> str:
    record: dict[str, object] = {"timestamp": at.isoformat(), "level": level, "msg": message}
    if request_id is not None:
        record["requestId"] = request_id
    return json.dumps(record)


def app_plain(at: datetime, level: str, message: str, request_id: str | None = None) -> str:
    """Python logging's default-ish format with a request ID in brackets."""
    rid = f" [request_id={request_id}]" if request_id is not None else ""
    return (
        f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {level.upper()}{rid} app: {message}"
    )


def spread(count: int, start: datetime, every: timedelta) -> list[datetime]:
    return [start + every * i for i in range(count)]


def write(path: Path, lines: Iterable[str], *, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(line + "\n" for line in lines)
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def luhn_card(prefix: str = "4", length: int = 16, rng: random.Random | None = None) -> str:
    """A random card number with a valid Luhn digit (made here: no card literal in tests)."""
    gen = rng or random.Random()
    body = prefix + "".join(gen.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return body + str((10 - total % 10) % 10)


def rid(n: int) -> str:
    """A 32-hex request ID like nginx's ``$request_id``."""
    return hashlib.md5(str(n).encode()).hexdigest()
