"""Cross-cutting HTTP behaviour of every demo host: headers, compression, CORS, errors.

The web and edge flaws are properties of the whole server, not of one page (a missing
HSTS header, a version-naming Server header, uncompressed CSS), so they live here, in
one response hook and a few middlewares, each switched by the variant.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from aiohttp.web_response import ContentCoding

from launchready.demo.pages import chat_script, script_hash
from launchready.demo.settings import DemoSettings

log = logging.getLogger("launchready.demo.web")


FLAWED_SERVER = "nginx/1.18.0 (Ubuntu)"
FLAWED_POWERED_BY = "Express/4.17.1"
NEUTRAL_SERVER = "demo-candles"
HSTS = "max-age=31536000"
STATIC_CACHE = "public, max-age=31536000, immutable"
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
_MIN_COMPRESS_BYTES = 256


def install(app: web.Application, settings: DemoSettings) -> None:
    """Add the variant's headers (every response) and gzip (fixed variant) to ``app``."""
    app.on_response_prepare.append(_header_hook(settings))
    if settings.fixed:
        app.middlewares.append(_gzip)


def content_security_policy(settings: DemoSettings) -> str:
    return (
        "default-src 'self'; "
        f"script-src 'self' {script_hash(chat_script(settings))}; "
        "style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' https://{settings.api} https://{settings.chat}; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def _header_hook(
    settings: DemoSettings,
) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    csp = content_security_policy(settings)

    async def hook(request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        if not settings.fixed:
            # Stock nginx in front of Express, both announcing their exact versions.
            headers["Server"] = FLAWED_SERVER
            headers["X-Powered-By"] = FLAWED_POWERED_BY
            return
        headers["Server"] = NEUTRAL_SERVER
        if request.secure:
            headers["Strict-Transport-Security"] = HSTS
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Content-Security-Policy", csp)

    return hook


@web.middleware
async def _gzip(request: web.Request, handler: Handler) -> web.StreamResponse:
    """gzip text bodies when the client accepts it (aiohttp alone would prefer deflate)."""
    response = await handler(request)
    if not isinstance(response, web.Response) or response.status != 200:
        return response
    content_type = response.content_type
    body = response.body
    if not content_type.startswith(_COMPRESSIBLE) or not isinstance(body, bytes):
        return response
    response.headers["Vary"] = "Accept-Encoding"
    if len(body) >= _MIN_COMPRESS_BYTES and _accepts_gzip(request):
        response.enable_compression(ContentCoding.gzip)
    return response


def _accepts_gzip(request: web.Request) -> bool:
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def cors(origin: str) -> Middleware:
    """Let the storefront page call this host from the browser (chat widget, checkout)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "OPTIONS":
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await handler(request)
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        return response

    return middleware


def error_pages(settings: DemoSettings) -> Middleware:
    """Unexpected exceptions: a debug traceback (flawed, DEBUG left on) or a bare 500."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            if settings.fixed:
                log.exception("demo handler failed: %s %s", request.method, request.path)
                return web.json_response({"error": "internal error"}, status=500)
            return web.Response(
                status=500,
                text="Internal Server Error (DEBUG=true)\n\n" + traceback.format_exc(),
            )

    return middleware
