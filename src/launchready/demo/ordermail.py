"""How the staging checkout sends its order confirmation: inline (flawed) or queued (fixed).

The flawed store does what a first version does: the checkout handler talks SMTP itself,
start to finish, before it answers, with no time limit. It does catch errors (a refused
connection loses the mail, not the order), but a slow provider makes checkout slow
(``deps.blocking-call``) and a provider that accepts and never answers makes checkout
never answer (``deps.no-timeout``). The fixed store puts the mail on a queue and answers;
one background worker delivers it with a time limit and a few retries, as a job queue
(Celery, Sidekiq, a cron over an outbox table) would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid

from launchready.demo.settings import SMOKE_CUSTOMER, DemoSettings
from launchready.demo.smtp import MailError, send_mail

log = logging.getLogger("launchready.demo.mail")

SEND_TIMEOUT_S = 5.0
"""The fixed worker's bound on one delivery attempt."""
ATTEMPTS = 3
RETRY_DELAY_S = 0.5
QUEUE_LIMIT = 1000
"""Mails waiting at most; beyond that the oldest is dropped (and logged), never checkout."""
_FAILURES = (OSError, MailError, TimeoutError, asyncio.IncompleteReadError)


@dataclass(frozen=True)
class OrderMail:
    sender: str
    recipient: str
    data: bytes


def order_confirmation(settings: DemoSettings, session_id: str, cart_id: str) -> OrderMail:
    """The confirmation for checkout session ``session_id``; it names the session and
    the cart, so whoever watches the wire can tell one order's mail from another's."""
    sender = f"orders@{settings.domain}"
    text = (
        f"From: Demo Candles <{sender}>\r\n"
        f"To: {SMOKE_CUSTOMER.name} <{SMOKE_CUSTOMER.email}>\r\n"
        f"Subject: Your order {session_id} is confirmed\r\n"
        f"Date: {format_datetime(datetime.now(UTC))}\r\n"
        f"Message-ID: {make_msgid('order', domain=settings.domain)}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Thank you for your order (cart {cart_id}, session {session_id}).\r\n"
    )
    return OrderMail(sender, SMOKE_CUSTOMER.email, text.encode("utf-8"))


class InlineMailer:
    """Flawed: deliver inside the request, no timeout; failures are logged and swallowed."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def deliver(self, mail: OrderMail) -> None:
        try:
            await send_mail(
                self._host, self._port, mail.sender, [mail.recipient], mail.data, timeout=None
            )
        except _FAILURES as exc:
            log.info("order mail lost: %s", exc or type(exc).__name__)


class QueuedMailer:
    """Fixed: :meth:`deliver` only enqueues; a worker task sends, bounded and retried."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._queue: asyncio.Queue[OrderMail] = asyncio.Queue(QUEUE_LIMIT)
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._work(), name="demo-order-mail")

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def deliver(self, mail: OrderMail) -> None:
        if self._queue.full():
            dropped = self._queue.get_nowait()
            log.warning("order mail queue full: dropped the mail to %s", dropped.recipient)
        self._queue.put_nowait(mail)

    async def _work(self) -> None:
        while True:
            mail = await self._queue.get()
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    await send_mail(
                        self._host,
                        self._port,
                        mail.sender,
                        [mail.recipient],
                        mail.data,
                        timeout=SEND_TIMEOUT_S,
                    )
                    break
                except _FAILURES as exc:
                    log.info("order mail attempt %d failed: %s", attempt, exc or type(exc).__name__)
                    if attempt < ATTEMPTS:
                        await asyncio.sleep(RETRY_DELAY_S * attempt)
            else:
                log.info("order mail to %s given up after %d attempts", mail.recipient, ATTEMPTS)


Mailer = InlineMailer | QueuedMailer


def mailer(settings: DemoSettings, host: str, port: int) -> Mailer:
    return QueuedMailer(host, port) if settings.fixed else InlineMailer(host, port)
