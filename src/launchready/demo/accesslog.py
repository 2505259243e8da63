"""The demo's access log: nginx ``combined`` format plus the request time.

Log analysis needs real traffic in the format most stores have, so every request either
listener serves is written here as nginx would write it with
``log_format timed '$remote_addr - $remote_user [$time_local] "$request" $status
$body_bytes_sent "$http_referer" "$http_user_agent" $request_time'``.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler, Middleware
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

REQUEST_ID_HEADER = "X-Request-ID"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def open_access_log(path: Path) -> logging.Logger:
    """A private logger writing bare lines to ``path`` (not attached to the root logger,
    so the demo's traffic never reaches the user's terminal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    logger = logging.Logger(f"launchready.demo.access:{path}", level=logging.INFO)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


def close_access_log(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


class CombinedAccessLogger(AbstractAccessLogger):
    """aiohttp access logger producing nginx combined lines with ``$request_time``."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(format_line(request, response, time, datetime.now(UTC)))


def format_line(request: BaseRequest, response: StreamResponse, time: float, now: datetime) -> str:
    version = request.version
    line = f"{request.method} {request.raw_path} HTTP/{version.major}.{version.minor}"
    referer = request.headers.get("Referer", "-")
    agent = request.headers.get("User-Agent", "-")
    logged = (
        f'{request.remote or "-"} - - [{time_local(now)}] "{_escape(line)}" '
        f'{response.status} {response.body_length} "{_escape(referer)}" '
        f'"{_escape(agent)}" {time:.3f}'
    )
    request_id = response.headers.get(REQUEST_ID_HEADER)
    return f"{logged} {_escape(request_id)}" if request_id else logged


def request_ids() -> Middleware:
    """The fixed store's middleware: every response carries an ``X-Request-ID`` (the
    caller's, or a new one), which the access log writes after the request time (nginx's
    ``$request_id``), so support can tie a complaint to its log lines."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        request_id = request.headers.get(REQUEST_ID_HEADER) or secrets.token_hex(16)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[REQUEST_ID_HEADER] = request_id
            raise
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    return middleware


def time_local(now: datetime) -> str:
    """``22/Nov/2026:15:00:00 +0000`` with English month names whatever the locale."""
    return f"{now:%d}/{_MONTHS[now.month - 1]}/{now:%Y:%H:%M:%S} +0000"


def _escape(text: str) -> str:
    """nginx writes ``"`` and control bytes as ``\\xHH`` so a line always parses."""
    return "".join(
        f"\\x{ord(c):02X}" if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F else c for c in text
    )
