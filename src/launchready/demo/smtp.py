"""The demo's email provider: an SMTP receiver (aiosmtpd), and the client the staging
store uses (aiosmtplib).

Order confirmations must travel over a real TCP connection speaking real SMTP, so that
``launchready chaos`` can sit in between and slow, hang or refuse it. The receiver accepts
every message for anyone (no auth, no TLS, no relaying: what an ESP adds is not the
point) and keeps the last few in memory for whoever wants to look.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from launchready.demo.settings import DOMAIN

SERVER_NAME = f"mail.{DOMAIN}"
CLIENT_NAME = f"staging.{DOMAIN}"
MAX_MESSAGE_BYTES = 1024 * 1024
KEPT_MESSAGES = 100
IDLE_TIMEOUT_S = 30.0
"""How long the receiver waits for a client's next command before hanging up."""


class MailError(Exception):
    """The provider refused the message or the exchange broke off."""


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: tuple[str, ...]
    data: bytes


class MailServer:
    """Accepts every message for anyone, keeps the last :data:`KEPT_MESSAGES` of them."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._server: asyncio.Server | None = None
        self._sessions: set[SMTP] = set()
        self.received: deque[ReceivedMail] = deque(maxlen=KEPT_MESSAGES)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, sock=self._sock)

    async def close(self) -> None:
        """Stop listening and hang up on every client (Python 3.11's ``wait_closed`` would
        not wait for them, 3.12's would wait forever for an idle one)."""
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
        if self._server is not None:
            await self._server.wait_closed()

    def _protocol(self) -> SMTP:
        server = self

        class _Tracked(SMTP):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                server._sessions.add(self)
                super().connection_made(transport)

            def connection_lost(self, exc: Exception | None) -> None:
                server._sessions.discard(self)
                super().connection_lost(exc)

        return _Tracked(
            _Keeper(self.received),
            hostname=SERVER_NAME,
            data_size_limit=MAX_MESSAGE_BYTES,
            timeout=IDLE_TIMEOUT_S,
        )


class _Keeper:
    """The aiosmtpd handler: every message is kept, none is refused."""

    def __init__(self, received: deque[ReceivedMail]) -> None:
        self._received = received

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content: Any = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else str(content).encode()
        sender = envelope.mail_from or ""
        self._received.append(ReceivedMail(sender, tuple(envelope.rcpt_tos), data))
        return f"250 2.0.0 OK queued as {len(self._received)}"


async def send_mail(
    host: str,
    port: int,
    sender: str,
    recipients: list[str],
    message: bytes,
    *,
    timeout: float | None,  # noqa: ASYNC109 - None is the flawed store's point: no bound
) -> None:
    """Deliver ``message`` over one SMTP session; ``timeout`` bounds the whole exchange,
    and ``None`` means no bound at all (the flawed store's choice)."""
    try:
        async with asyncio.timeout(timeout):
            await aiosmtplib.send(
                message,
                sender=sender,
                recipients=recipients,
                hostname=host,
                port=port,
                local_hostname=CLIENT_NAME,
                timeout=None,
                start_tls=False,
            )
    except aiosmtplib.SMTPException as exc:
        raise MailError(str(exc)) from exc
