"""The staging chatbot's model: an HTTP "LLM" service, and the two ways the bot calls it.

The service speaks the OpenAI chat-completions shape (``POST /v1/chat/completions``) and
answers with the demo's deterministic assistant after a model-like delay, so nothing here
needs a network or a GPU. The staging bot calls it through the manifest's ``llm``
dependency address, where ``launchready chaos`` can slow, hang or refuse it.

Flawed bot: one call per message, no timeout, no cache, and a failed call is a 500
(``deps.no-timeout``, ``deps.no-fallback``, ``deps.no-cache``). Fixed bot: identical
questions are answered from a cache (and concurrent ones share one call), every call is
bounded by :data:`CALL_TIMEOUT_S`, and a failure gives a degraded answer that points to
the help page. Each call opens its own connection (as an SDK client made per request
does), so a proxy in between counts calls by counting connections.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import OrderedDict

import aiohttp
from aiohttp import web

from launchready.demo.chatbot import SYSTEM_PROMPT, Assistant, completion_request, reply_delay
from launchready.demo.settings import CANARY, DemoSettings

MODEL = "wick-1"
CALL_TIMEOUT_S = 1.5
"""The fixed bot's bound on one model call: below the chatbot's 2 s budget."""
CACHE_SIZE = 1000
CACHE_TTL_S = 600.0
MAX_REPLY_BYTES = 256 * 1024


class LlmError(Exception):
    """The service answered, but not with a completion."""


def llm_app(settings: DemoSettings) -> web.Application:
    """The model service: stateless, one completion per request."""
    assistant = Assistant(settings)

    async def completions(request: web.Request) -> web.Response:
        asked = await completion_request(request)
        if isinstance(asked, web.Response):
            return asked
        body, text = asked
        await asyncio.sleep(reply_delay(text))
        # A fresh conversation per call: the model keeps no state between requests.
        reply = assistant.respond(text, secrets.token_hex(8))
        message = {"role": "assistant", "content": reply.reply}
        return web.json_response(
            {
                "object": "chat.completion",
                "model": body.get("model", MODEL),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            }
        )

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    return app


class LlmClient:
    """Calls the service at ``http://host:port``; ``timeout=None`` waits for ever."""

    def __init__(self, host: str, port: int, timeout: float | None) -> None:
        self._url = f"http://{host}:{port}/v1/chat/completions"
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=self._timeout),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def complete(self, text: str) -> str:
        assert self._session is not None, "start() the client first"
        system = SYSTEM_PROMPT.format(canary=CANARY)
        payload = {
            "model": MODEL,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}],
        }
        async with self._session.post(self._url, json=payload) as response:
            raw = await response.content.read(MAX_REPLY_BYTES)
            if response.status != 200:
                raise LlmError(f"the model service answered {response.status}")
        try:
            content = json.loads(raw)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError("the model service sent no completion") from exc
        if not isinstance(content, str):
            raise LlmError("the model service sent no completion")
        return content


class ReplyCache:
    """Recent answers by normalised question, bounded in size and age."""

    def __init__(self, size: int = CACHE_SIZE, ttl: float = CACHE_TTL_S) -> None:
        self._size, self._ttl = size, ttl
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()

    @staticmethod
    def key(text: str) -> str:
        return " ".join(text.lower().split())

    def get(self, key: str) -> str | None:
        found = self._items.get(key)
        if found is None or time.monotonic() - found[0] > self._ttl:
            self._items.pop(key, None)
            return None
        self._items.move_to_end(key)
        return found[1]

    def put(self, key: str, reply: str) -> None:
        self._items[key] = (time.monotonic(), reply)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class DirectBot:
    """Flawed: every message is a model call; errors propagate (the handler's 500)."""

    def __init__(self, client: LlmClient) -> None:
        self.client = client

    async def answer(self, text: str) -> tuple[str, bool]:
        """The reply and whether it is a degraded one."""
        return await self.client.complete(text), False


class GuardedBot:
    """Fixed: cache, one shared call per question in flight, a time limit, a fallback."""

    def __init__(self, client: LlmClient, help_url: str) -> None:
        self.client = client
        self._cache = ReplyCache()
        self._inflight: dict[str, asyncio.Future[str]] = {}
        self._fallback = (
            "Sorry, I can't answer right now. Our help page has shipping, returns and "
            f"order tracking: {help_url}"
        )

    async def answer(self, text: str) -> tuple[str, bool]:
        key = ReplyCache.key(text)
        cached = self._cache.get(key)
        if cached is not None:
            return cached, False
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._call(text))
            self._inflight[key] = pending
            pending.add_done_callback(lambda done: self._forget(key, done))
        try:
            reply = await asyncio.shield(pending)
        except (TimeoutError, OSError, aiohttp.ClientError, LlmError):
            return self._fallback, True
        self._cache.put(key, reply)
        return reply, False

    def _forget(self, key: str, done: asyncio.Future[str]) -> None:
        self._inflight.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here too, in case every waiter has gone

    async def _call(self, text: str) -> str:
        async with asyncio.timeout(CALL_TIMEOUT_S):
            return await self.client.complete(text)


Bot = DirectBot | GuardedBot


def bot(settings: DemoSettings, host: str, port: int) -> Bot:
    if settings.fixed:
        client = LlmClient(host, port, CALL_TIMEOUT_S)
        return GuardedBot(client, f"{settings.canonical}/help")
    return DirectBot(LlmClient(host, port, None))
