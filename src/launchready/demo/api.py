"""The api host: checkout sessions, order status, health and the Stripe webhook.

These are the revenue-critical endpoints of a small store, so this is where the flawed
variant keeps its slow checkout (a synchronous call to a payment provider, simulated
with ``asyncio.sleep`` so the event loop stays free) and its webhook handler that
crashes on a missing signature with DEBUG still on.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from aiohttp import web

from launchready.demo.settings import CHECKOUT_DELAY_S, SMOKE_CUSTOMER, DemoSettings
from launchready.demo.web_policy import cors, error_pages

SIGNATURE_TOLERANCE_S = 300
NO_STORE = {"Cache-Control": "private, no-store"}


def api_app(settings: DemoSettings) -> web.Application:
    app = web.Application(middlewares=[error_pages(settings), cors(settings.canonical)])
    api = Api(settings)
    app.router.add_get("/", api.index)
    app.router.add_get("/healthz", api.health)
    app.router.add_post("/checkout/session", api.checkout_session)
    app.router.add_get("/orders/{order}/status", api.order_status)
    app.router.add_post("/webhooks/stripe", api.stripe_webhook)
    return app


def stripe_signature(secret: str, payload: bytes, timestamp: int) -> str:
    """A ``Stripe-Signature`` header value for ``payload``, as Stripe computes it."""
    signed = str(timestamp).encode() + b"." + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(secret: str, header: str, payload: bytes, now: float) -> bool:
    """Stripe's scheme: HMAC-SHA256 of ``t.payload``, any ``v1`` may match, 5-minute window."""
    parts = [item.partition("=") for item in header.split(",")]
    stamps = [value for key, _, value in parts if key.strip() == "t"]
    candidates = [value.strip() for key, _, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not candidates:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_S:
        return False
    expected = stripe_signature(secret, payload, timestamp).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


class Api:
    def __init__(self, settings: DemoSettings) -> None:
        self._settings = settings

    async def index(self, request: web.Request) -> web.Response:
        return web.json_response({"service": "demo-candles-api", "version": "1"})

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok", headers={"Cache-Control": "no-store"})

    async def checkout_session(self, request: web.Request) -> web.Response:
        body = await cart_request(request)
        if isinstance(body, web.Response):
            return body
        if not self._settings.fixed:
            # The flawed store waits on the payment provider inside the request.
            await asyncio.sleep(CHECKOUT_DELAY_S)
        session_id = "cs_demo_" + secrets.token_hex(12)
        url = f"{self._settings.canonical}/checkout/{session_id}"
        return web.json_response({"id": session_id, "url": url}, headers=NO_STORE)

    async def order_status(self, request: web.Request) -> web.Response:
        expected = "Bearer " + self._settings.credentials.order_token
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return web.json_response(
                {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        order = request.match_info["order"]
        if order != SMOKE_CUSTOMER.order:
            return web.json_response({"error": "no such order"}, status=404, headers=NO_STORE)
        status = {"order": order, "status": "shipped", "items": SMOKE_CUSTOMER.items}
        return web.json_response(status, headers=NO_STORE if self._settings.fixed else None)

    async def stripe_webhook(self, request: web.Request) -> web.Response:
        payload = await request.read()
        if self._settings.fixed:
            header = request.headers.get("Stripe-Signature", "")
        else:
            # The planted crash: KeyError when the header is absent, shown by the debug page.
            header = request.headers["Stripe-Signature"]
        secret = self._settings.credentials.webhook_secret
        if not signature_valid(secret, header, payload, time.time()):
            return web.json_response({"error": "invalid signature"}, status=400)
        try:
            event = json.loads(payload)
        except ValueError:
            return web.json_response({"error": "invalid payload"}, status=400)
        kind = event.get("type") if isinstance(event, dict) else None
        return web.json_response({"received": True, "type": kind})


async def cart_request(request: web.Request) -> dict[str, Any] | web.Response:
    """A checkout-session request's JSON body with its ``cart_id``, or the 400 to answer."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"error": "expected a JSON body"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("cart_id"), str):
        return web.json_response({"error": "cart_id is required"}, status=400)
    return body
