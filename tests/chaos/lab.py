"""A small staging store with two real dependencies, for the chaos tests.

The store (aiohttp) sends order mail on ``POST /checkout`` to a real SMTP server (aiosmtpd)
and asks an HTTP "LLM" (aiohttp) on ``POST /chat``, both through the addresses the manifest
gives the chaos proxy (``listen``), exactly as a staging store configured for chaos would.
:class:`Variant` chooses how well the store copes: timeouts, degraded answers, mail sent
from a background task, answers cached by prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import textwrap
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.labserver import free_port, serve


@dataclass(frozen=True)
class Variant:
    timeout: float | None = None
    """The store's timeout on each dependency call; None: it waits forever."""
    fallback: bool = False
    """A degraded answer when a call fails, instead of a 500 page."""
    background_mail: bool = False
    """Order mail sent from a background task: the checkout answers without waiting."""
    cache: bool = False
    """Chat answers cached by prompt: an identical prompt does not reach the LLM again."""


NAIVE = Variant()
ROBUST = Variant(timeout=1.0, fallback=True, background_mail=True, cache=True)
TIMEOUT_ONLY = Variant(timeout=1.0)


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        self.messages.append(content if isinstance(content, bytes) else str(content).encode())
        return "250 Message accepted"


async def send_mail(host: str, port: int, body: bytes) -> None:
    """A minimal SMTP client: six round trips, as a real order email takes."""
    reader, writer = await asyncio.open_connection(host, port)
    try:

        async def reply() -> None:
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("the SMTP server closed the connection")
                if line[3:4] != b"-":
                    if line[:1] in (b"4", b"5"):
                        raise ConnectionError(line.decode().strip())
                    return

        await reply()
        for command in (
            b"EHLO store.test",
            b"MAIL FROM:<shop@shop.test>",
            b"RCPT TO:<a@b.test>",
            b"DATA",
        ):
            writer.write(command + b"\r\n")
            await reply()
        writer.write(body + b"\r\n.\r\n")
        await reply()
        writer.write(b"QUIT\r\n")
    finally:
        writer.close()


@dataclass
class Lab:
    """The running store and its dependencies; ``calls`` counts requests per path."""

    variant: Variant
    mail_listen: int = field(default_factory=free_port)
    llm_listen: int = field(default_factory=free_port)
    smtp_port: int = 0
    llm_port: int = 0
    store: str = ""
    mailbox: _Mailbox = field(default_factory=_Mailbox)
    calls: Counter[str] = field(default_factory=Counter)
    llm_prompts: list[str] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _cache: dict[str, str] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _session: aiohttp.ClientSession | None = None

    async def wait_calls(self, path: str, count: int) -> None:
        """Until the store has received ``count`` requests on ``path`` (at most 30 s)."""
        async with asyncio.timeout(30), self.changed:
            await self.changed.wait_for(lambda: self.calls[path] >= count)

    async def _count(self, path: str) -> None:
        async with self.changed:
            self.calls[path] += 1
            self.changed.notify_all()

    # the store
    async def checkout(self, request: web.Request) -> web.Response:
        await self._count("/checkout")
        mail = send_mail("127.0.0.1", self.mail_listen, b"Subject: Order 1001\r\n\r\nThanks!")
        if self.variant.background_mail:
            task = asyncio.ensure_future(self._quietly(mail))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return web.json_response({"order": "1001", "status": "confirmed"})
        try:
            await asyncio.wait_for(mail, self.variant.timeout)
        except (OSError, TimeoutError):
            if self.variant.fallback:
                return web.json_response({"order": "1001", "status": "confirmed", "email": "later"})
            return web.Response(status=500, text="500 Internal Server Error")
        return web.json_response({"order": "1001", "status": "confirmed"})

    async def _quietly(self, mail: Any) -> None:
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(mail, self.variant.timeout)

    async def chat(self, request: web.Request) -> web.Response:
        await self._count("/chat")
        message = str((await request.json()).get("message", ""))
        if self.variant.cache and message in self._cache:
            return web.json_response({"reply": self._cache[message]})
        assert self._session is not None
        try:
            async with self._session.post(
                f"http://127.0.0.1:{self.llm_listen}/v1/complete",
                json={"prompt": message},
                timeout=aiohttp.ClientTimeout(total=self.variant.timeout),
            ) as response:
                response.raise_for_status()
                answer = str((await response.json())["text"])
        except (aiohttp.ClientError, TimeoutError):
            if self.variant.fallback:
                return web.json_response({"reply": "Our assistant is busy; please try again soon."})
            return web.Response(
                status=500, text="Traceback (most recent call last): LLM call failed"
            )
        if self.variant.cache:
            self._cache[message] = answer
        return web.json_response({"reply": answer})

    async def broken(self, request: web.Request) -> web.Response:
        await self._count("/broken")
        return web.Response(status=500, text="500 Internal Server Error")

    # the LLM
    async def complete(self, request: web.Request) -> web.Response:
        self.llm_prompts.append(str((await request.json())["prompt"]))
        return web.json_response({"text": "The lavender candle makes a lovely gift."})

    def manifest(self, *, base_url: str | None = None, email_used_by: str = "[checkout]") -> str:
        return textwrap.dedent(f"""
            site:
              domain: shop.test
              hosts: [{{name: www.shop.test, role: storefront}}]
            routes:
              - name: checkout
                url: https://www.shop.test/checkout
                method: POST
                json: {{cart_id: demo-cart}}
                checkout: true
              - name: broken
                url: https://www.shop.test/broken
                method: POST
            chatbot:
              url: https://www.shop.test/chat
              request:
                json: {{message: "{{message}}", session_id: "{{session}}"}}
              reply: $.reply
            deploy:
              drill:
                base_url: {base_url or self.store}
            dependencies:
              - name: email-provider
                listen: 127.0.0.1:{self.mail_listen}
                upstream: 127.0.0.1:{self.smtp_port}
                used_by: {email_used_by}
              - name: llm
                listen: 127.0.0.1:{self.llm_listen}
                upstream: 127.0.0.1:{self.llm_port}
                used_by: [chatbot]
                awaited: true
                cacheable: true
            """).lstrip()

    def write(self, folder: Path, **kwargs: Any) -> Path:
        path = folder / "launchready.yaml"
        path.write_text(self.manifest(**kwargs), encoding="utf-8")
        return path


@contextlib.asynccontextmanager
async def running(variant: Variant) -> AsyncIterator[Lab]:
    """The store, the SMTP server and the LLM on loopback for the block."""
    lab = Lab(variant)
    loop = asyncio.get_running_loop()
    lab.smtp_port = free_port()
    smtp = await loop.create_server(
        lambda: SMTP(lab.mailbox, hostname="mail.test"), "127.0.0.1", lab.smtp_port
    )
    store = web.Application()
    store.router.add_post("/checkout", lab.checkout)
    store.router.add_post("/chat", lab.chat)
    store.router.add_post("/broken", lab.broken)
    llm = web.Application()
    llm.router.add_post("/v1/complete", lab.complete)
    lab._session = aiohttp.ClientSession()
    try:
        async with serve(llm) as llm_origin, serve(store) as store_origin:
            lab.llm_port = int(llm_origin.rsplit(":", 1)[1])
            lab.store = store_origin
            yield lab
    finally:
        for task in list(lab._tasks):
            task.cancel()
        await lab._session.close()
        smtp.close()
        await smtp.wait_closed()
