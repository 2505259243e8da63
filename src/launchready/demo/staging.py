"""The staging store: the shop on one plain-HTTP origin, running ``releases/current``.

It is ``deploy.drill.base_url``, the target of ``launchready deploy drill`` and
``launchready chaos``: every route of the manifest answers here under its own path (the
storefront's pages, the API's checkout, order status, health and webhook, and the
chatbot's ``/api/message``), so a smoke test rebased onto this origin exercises all of
them. It is not the audited production store: staging runs the shop's next releases, whose
webhook already refuses unsigned calls and whose checkout uses Stripe's test mode (no
650 ms wait), so a good release passes the smoke test in both variants. What differs
between the variants here is what the drill and chaos are about:

- each request reads the release ``releases/current`` points at (:mod:`.releases`);
  none (a dangling link) means 503 on every path, the bad release means 500 on checkout;
- checkout sends the order confirmation to the email provider and the chatbot asks the
  model service, both through the manifest's ``dependencies[].listen`` addresses, inline
  and unguarded when flawed, queued, cached and bounded when fixed (:mod:`.ordermail`,
  :mod:`.llm`). Outside a chaos run nothing listens there: the flawed bot then fails,
  the fixed one answers in degraded mode, and both checkouts still answer (the flawed
  one loses the mail, the fixed one retries it).

Staging traffic is not written to the production access log, which the audit reads.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from contextvars import ContextVar
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from launchready.demo.api import Api, cart_request, signature_valid
from launchready.demo.chatbot import MAX_MESSAGE_CHARS, message_body
from launchready.demo.llm import Bot, LlmError
from launchready.demo.ordermail import Mailer, order_confirmation
from launchready.demo.releases import Release, read_current
from launchready.demo.settings import DemoSettings
from launchready.demo.shop import Storefront, add_storefront_routes

log = logging.getLogger("launchready.demo.staging")

RELEASE_HEADER = "X-Release"
NO_STORE = {"Cache-Control": "private, no-store"}
_RELEASE: ContextVar[Release] = ContextVar("launchready_demo_release")
"""The request's :class:`Release`, set by the middleware in the task that runs the handler."""


def staging_app(
    settings: DemoSettings, releases: Path, mailer: Mailer, bot: Bot
) -> web.Application:
    """Every route of the store on one origin, served by the release ``current`` names."""
    app = web.Application(middlewares=[_current_release(releases)])
    shop = Storefront(settings)
    api = Api(settings)
    handlers = _Staging(settings, mailer, bot)
    add_storefront_routes(app.router, shop)
    app.router.add_get("/healthz", handlers.health)
    app.router.add_post("/checkout/session", handlers.checkout_session)
    app.router.add_get("/orders/{order}/status", api.order_status)
    app.router.add_post("/webhooks/stripe", handlers.stripe_webhook)
    app.router.add_post("/api/message", handlers.message)
    return app


def _current_release(releases: Path) -> Middleware:
    """Read ``releases/current`` for each request: a symlink switch is a deploy."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        release = await asyncio.to_thread(read_current, releases)
        if release is None:
            return web.Response(
                status=503,
                text="No release is deployed: releases/current points at nothing.\n",
                headers=NO_STORE,
            )
        _RELEASE.set(release)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[RELEASE_HEADER] = release.name
            raise
        response.headers[RELEASE_HEADER] = release.name
        return response

    return middleware


class _Staging:
    def __init__(self, settings: DemoSettings, mailer: Mailer, bot: Bot) -> None:
        self._settings = settings
        self._mailer = mailer
        self._bot = bot

    async def health(self, request: web.Request) -> web.Response:
        release = _RELEASE.get()
        return web.Response(text=f"ok {release.version}\n", headers={"Cache-Control": "no-store"})

    async def checkout_session(self, request: web.Request) -> web.Response:
        body = await cart_request(request)
        if isinstance(body, web.Response):
            return body
        release = _RELEASE.get()
        if release.payments is None or "currency" not in release.payments:
            # The bad release: its settings file no longer has what checkout reads.
            log.info("checkout failed in release %s: no payments settings", release.name)
            return web.json_response({"error": "internal server error"}, status=500)
        session_id = "cs_test_" + secrets.token_hex(12)
        await self._mailer.deliver(order_confirmation(self._settings, session_id, body["cart_id"]))
        url = f"{request.scheme}://{request.host}/checkout/{session_id}"
        data = {"id": session_id, "url": url, "currency": release.payments["currency"]}
        return web.json_response(data, headers=NO_STORE)

    async def stripe_webhook(self, request: web.Request) -> web.Response:
        payload = await request.read()
        header = request.headers.get("Stripe-Signature", "")
        secret = self._settings.credentials.webhook_secret
        if not signature_valid(secret, header, payload, time.time()):
            return web.json_response({"error": "invalid signature"}, status=400)
        return web.json_response({"received": True})

    async def message(self, request: web.Request) -> web.Response:
        parsed = await message_body(request)
        if isinstance(parsed, web.Response):
            return parsed
        text = parsed[0][:MAX_MESSAGE_CHARS]
        try:
            reply, degraded = await self._bot.answer(text)
        except (OSError, TimeoutError, aiohttp.ClientError, LlmError) as exc:  # flawed bot only
            log.info("chatbot failed: %s", exc or type(exc).__name__)
            return web.json_response(
                {"error": "the assistant is unavailable"}, status=500, headers=NO_STORE
            )
        data: dict[str, object] = {"reply": reply, "actions": []}
        if degraded:
            data["degraded"] = True
        return web.json_response(data, headers=NO_STORE)
