"""The servers behind the staging store: the store itself, its email provider, its model.

Three listeners on free loopback ports (staging HTTP, SMTP, the LLM service) and two
ports left free: the dependencies' ``listen`` addresses, where the staging store sends its
mail and model calls and where ``launchready chaos`` puts its proxy, forwarding to the
real SMTP and LLM servers (the manifest's ``upstream``). They run on the demo store's loop
and thread, started and closed by :class:`~launchready.demo.store.DemoStore`.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from launchready.demo.llm import bot, llm_app
from launchready.demo.ordermail import mailer
from launchready.demo.settings import DemoSettings
from launchready.demo.smtp import MailServer
from launchready.demo.sockets import LOOPBACK, free_ports, tcp_listener
from launchready.demo.staging import staging_app

SHUTDOWN_GRACE_S = 1.0
"""How long a stop waits for staging requests in flight (a hung checkout) before closing."""


@dataclass(frozen=True)
class StagingPorts:
    """Where the staging side listens on 127.0.0.1, and the two ports it calls."""

    staging: int
    """The staging store: ``deploy.drill.base_url`` is ``http://127.0.0.1:<staging>``."""
    smtp: int
    """The email provider (``email-provider``'s upstream)."""
    llm: int
    """The model service (``llm``'s upstream)."""
    mail_listen: int
    """``email-provider``'s ``listen``: where staging sends mail; free until chaos binds it."""
    llm_listen: int
    """``llm``'s ``listen``: where staging calls the model; free until chaos binds it."""

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.staging}"


@dataclass
class StagingListeners:
    staging: socket.socket
    smtp: socket.socket
    llm: socket.socket
    ports: StagingPorts

    @classmethod
    def bind(cls) -> StagingListeners:
        opened: list[socket.socket] = []
        try:
            for _ in range(3):
                opened.append(tcp_listener())
            mail_listen, llm_listen = free_ports(2)
        except OSError:
            for sock in opened:
                sock.close()
            raise
        staging, smtp, llm = opened
        ports = StagingPorts(
            staging=staging.getsockname()[1],
            smtp=smtp.getsockname()[1],
            llm=llm.getsockname()[1],
            mail_listen=mail_listen,
            llm_listen=llm_listen,
        )
        return cls(staging, smtp, llm, ports)

    def close(self) -> None:
        for sock in (self.staging, self.smtp, self.llm):
            sock.close()


class StagingSite:
    """Starts and stops the staging servers on the running loop (the store's thread)."""

    def __init__(self, settings: DemoSettings, releases: Path, listeners: StagingListeners) -> None:
        ports = listeners.ports
        self._settings = settings
        self._releases = releases
        self._listeners = listeners
        self.mail_server = MailServer(listeners.smtp)
        self._mailer = mailer(settings, LOOPBACK, ports.mail_listen)
        self._bot = bot(settings, LOOPBACK, ports.llm_listen)
        self._runners: list[web.AppRunner] = []

    async def start(self) -> None:
        await self.mail_server.start()
        await self._mailer.start()
        await self._bot.client.start()
        apps = (
            (llm_app(self._settings), self._listeners.llm),
            (
                staging_app(self._settings, self._releases, self._mailer, self._bot),
                self._listeners.staging,
            ),
        )
        for app, sock in apps:
            runner = web.AppRunner(
                app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S
            )
            self._runners.append(runner)
            await runner.setup()
            await web.SockSite(runner, sock).start()

    async def close(self) -> None:
        """Staging first (its requests may wait on the others), then the rest."""
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        await self._mailer.close()
        await self._bot.client.close()
        await self.mail_server.close()
        self._listeners.close()
