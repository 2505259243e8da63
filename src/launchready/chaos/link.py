"""One proxied connection: the client side, the upstream side, and a pipe each way.

Built on asyncio protocols rather than streams: with no fault active a chunk is written
on as it arrives, with no task switch, which keeps the proxy's cost per round trip in the
tens of microseconds (bench/chaos_proxy.py). When the kernel buffer of one side fills, the
other side's reading pauses, so a fast sender cannot make the proxy buffer without bound.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from typing import TYPE_CHECKING

from launchready.chaos.httpcount import RequestLineCounter
from launchready.chaos.pipe import Pipe

if TYPE_CHECKING:
    from launchready.chaos.proxy import FaultProxy

CONNECT_TIMEOUT = 10.0
"""Seconds to reach the real service; past that the store's connection is closed."""


class Link:
    """A client connection and, unless it arrived during a hang, its upstream connection."""

    def __init__(self, proxy: FaultProxy, client: asyncio.Transport) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream: asyncio.Transport | None = None
        self.up = Pipe(client.pause_reading, client.resume_reading)
        self.down = Pipe(self._pause_upstream, self._resume_upstream)
        self.down.attach(client)
        self.up.on_done = self.down.on_done = self._pipe_done
        self.requests = RequestLineCounter()
        self.down_sent = 0
        self.closed = False
        self._connecting: asyncio.Task[None] | None = None

    def open_upstream(self) -> None:
        self._connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            host, port = await self.proxy.upstream_address()
            await asyncio.wait_for(
                loop.create_connection(lambda: UpstreamSide(self), host, port), CONNECT_TIMEOUT
            )
        except (TimeoutError, OSError):
            self.close()

    def upstream_made(self, transport: asyncio.Transport) -> None:
        if self.closed:
            transport.abort()
            return
        self.upstream = transport
        self.proxy.counters.upstream_connections += 1
        self.up.attach(transport)

    # client -> upstream
    def from_client(self, data: bytes) -> None:
        fault = self.proxy.fault
        if fault.kind == "hang":
            self.proxy.counters.bytes_dropped += len(data)
            return
        counters = self.proxy.counters
        counters.bytes_up += len(data)
        if self.requests.active:
            counters.requests += self.requests.feed(data)
        self.up.send(data)

    # upstream -> client
    def from_upstream(self, data: bytes) -> None:
        fault = self.proxy.fault
        counters = self.proxy.counters
        if fault.kind == "hang":
            counters.bytes_dropped += len(data)
            return
        if fault.kind == "reset":
            allowed = max(0, fault.reset_after - self.down_sent)
            if allowed:
                self._deliver(data[:allowed], 0.0, 0.0)
            self.reset()
            return
        delay = fault.latency if fault.kind == "latency" else 0.0
        if delay and fault.jitter:
            delay = max(0.0, delay + random.uniform(-fault.jitter, fault.jitter))
        self._deliver(data, delay, fault.rate if fault.kind == "bandwidth" else 0.0)

    def _deliver(self, data: bytes, delay: float, rate: float) -> None:
        self.down_sent += len(data)
        self.proxy.counters.bytes_down += len(data)
        self.down.send(data, delay, rate)

    def eof_from(self, side: str) -> None:
        (self.up if side == "client" else self.down).finish()

    def lost(self, side: str) -> None:
        """One side went away: deliver what is queued to the other side, then close it."""
        if self.closed:
            return
        if side == "client":
            self.down.clear()
            if self.upstream is None:
                self.close()
                return
            self.up.finish(close=True)
        else:
            self.up.clear()
            self.down.finish(close=True)

    def _pipe_done(self) -> None:
        if self.up.done and self.down.done:
            self.close()

    def _pause_upstream(self) -> None:
        if self.upstream is not None:
            self.upstream.pause_reading()

    def _resume_upstream(self) -> None:
        if self.upstream is not None:
            self.upstream.resume_reading()

    def reset(self) -> None:
        """End both connections with a TCP RST, as a crashed or reset peer would."""
        for transport in (self.client, self.upstream):
            if transport is not None and not transport.is_closing():
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close(abort=True)

    def close(self, abort: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        self.up.clear()
        self.down.clear()
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        for transport in (self.client, self.upstream):
            if transport is not None:
                if abort:
                    transport.abort()
                else:
                    transport.close()
        self.proxy.forget(self)


class ClientSide(asyncio.Protocol):
    """The connection the store opened to the listen address."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.link: Link | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.link = self.proxy.accepted(transport)

    def data_received(self, data: bytes) -> None:
        if self.link is not None:
            self.link.from_client(data)

    def eof_received(self) -> bool:
        if self.link is not None:
            self.link.eof_from("client")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.link is not None:
            self.link.lost("client")

    def pause_writing(self) -> None:
        if self.link is not None:
            self.link._pause_upstream()

    def resume_writing(self) -> None:
        if self.link is not None:
            self.link._resume_upstream()


class UpstreamSide(asyncio.Protocol):
    """The connection the proxy opened to the real service."""

    def __init__(self, link: Link) -> None:
        self.link = link

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.link.upstream_made(transport)

    def data_received(self, data: bytes) -> None:
        self.link.from_upstream(data)

    def eof_received(self) -> bool:
        self.link.eof_from("upstream")
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.link.lost("upstream")

    def pause_writing(self) -> None:
        self.link.client.pause_reading()

    def resume_writing(self) -> None:
        if not self.link.closed:
            self.link.client.resume_reading()


__all__ = ["ClientSide", "Link", "UpstreamSide"]
