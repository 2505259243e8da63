"""The fault-injecting TCP proxy that sits between a staging store and one dependency.

It forwards bytes, never parses or terminates TLS, so an HTTPS or SMTP+STARTTLS dependency
passes through untouched and the store still verifies the real service's certificate.
What it knows of the traffic is what a byte stream tells: connections, bytes each way,
and, when the dependency speaks plain HTTP/1.x, the request lines (the evidence that an
identical request did or did not reach the dependency again).

Faults switch at once on open connections too (see :mod:`launchready.chaos.faults`);
leaving ``hang`` or ``reset`` drops the connections they broke, so the next experiment
starts from clean connections, and ``refuse`` closes the listening socket itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from launchready.chaos.faults import PASS_THROUGH, Fault, split_host_port
from launchready.chaos.link import ClientSide, Link

Resolve = Callable[[str, int], Awaitable[tuple[str, int]]]
"""Turns the upstream ``host, port`` into the address to connect to (``network.resolve``)."""


@dataclass
class Counters:
    """What went through the proxy since it started; read differences with :meth:`since`."""

    connections: int = 0
    """Connections accepted from the store."""
    upstream_connections: int = 0
    """Connections opened to the dependency."""
    requests: int = 0
    """HTTP/1.x request lines forwarded to the dependency (0 for TLS and other protocols)."""
    bytes_up: int = 0
    """Bytes forwarded store -> dependency."""
    bytes_down: int = 0
    """Bytes forwarded dependency -> store."""
    bytes_dropped: int = 0
    """Bytes swallowed by a hang, either way."""

    def snapshot(self) -> Counters:
        return Counters(**asdict(self))

    def since(self, earlier: Counters) -> Counters:
        mine, theirs = asdict(self), asdict(earlier)
        return Counters(**{k: mine[k] - theirs[k] for k in mine})

    @property
    def reached_upstream(self) -> bool:
        """Whether anything reached the dependency (a difference of snapshots)."""
        return self.upstream_connections > 0 or self.requests > 0 or self.bytes_up > 0

    def to_json(self) -> dict[str, int]:
        return asdict(self)


class FaultProxy:
    """``async with FaultProxy("127.0.0.1:2525", "smtp.esp.example:587") as proxy:``

    listens on the first address, forwards to the second, and injects whatever
    :meth:`set_fault` says until told otherwise. Leaving the block closes the listener and
    every connection, on cancellation too."""

    def __init__(
        self, listen: str, upstream: str, *, resolve: Resolve | None = None, name: str = ""
    ) -> None:
        self.name = name or listen
        self.listen = split_host_port(listen)
        self.upstream = split_host_port(upstream)
        self.counters = Counters()
        self._fault = PASS_THROUGH
        self._resolve = resolve
        self._resolved: tuple[str, int] | None = None
        self._server: asyncio.Server | None = None
        self._links: set[Link] = set()

    @property
    def fault(self) -> Fault:
        return self._fault

    @property
    def listening(self) -> bool:
        return self._server is not None

    @property
    def open_connections(self) -> int:
        return len(self._links)

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Listen on ``listen`` (an OSError, such as the port in use, propagates)."""
        if self._server is None:
            loop = asyncio.get_running_loop()
            host, port = self.listen
            self._server = await loop.create_server(
                lambda: ClientSide(self), host, port, reuse_address=True, backlog=512
            )

    async def set_fault(self, fault: Fault) -> None:
        """Switch to ``fault``; ``PASS_THROUGH`` restores plain forwarding."""
        previous, self._fault = self._fault, fault
        if fault.kind == "refuse" or previous.kind in ("hang", "reset"):
            self._abort_links()
        if fault.kind == "refuse":
            await self._stop_listening()
        elif self._server is None:
            await self.start()

    async def close(self) -> None:
        """Stop listening and drop every connection; safe to call twice."""
        self._fault = PASS_THROUGH
        self._abort_links()
        await self._stop_listening()

    async def upstream_address(self) -> tuple[str, int]:
        if self._resolved is None:
            host, port = self.upstream
            self._resolved = await self._resolve(host, port) if self._resolve else (host, port)
        return self._resolved

    def accepted(self, transport: asyncio.Transport) -> Link:
        link = Link(self, transport)
        self._links.add(link)
        self.counters.connections += 1
        if self._fault.kind != "hang":
            link.open_upstream()
        return link

    def forget(self, link: Link) -> None:
        self._links.discard(link)

    def _abort_links(self) -> None:
        for link in list(self._links):
            link.reset()
        self._links.clear()

    async def _stop_listening(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()


__all__ = ["Counters", "FaultProxy", "Resolve"]
