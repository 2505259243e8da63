"""One direction of a proxied connection: chunks delivered in order, each at its due time.

A pipe queues chunks only when a fault delays them (latency, bandwidth) or the destination
is not connected yet; otherwise a chunk is written on at once. When its queue passes
:data:`HIGH_WATER` it pauses the reading side, so a delayed fast sender cannot make the
proxy buffer without bound.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

HIGH_WATER = 1024 * 1024
"""Queued bytes in one pipe above which the reading side is paused."""


class Pipe:
    """One direction: chunks written to ``dst`` in order, each no earlier than its due time."""

    def __init__(self, pause_source: Callable[[], None], resume_source: Callable[[], None]):
        self.dst: asyncio.Transport | None = None
        self.done = False
        """The source's EOF was delivered (or the pipe was cleared)."""
        self.on_done: Callable[[], None] = lambda: None
        self._close_after = False
        self._pause, self._resume = pause_source, resume_source
        self._queue: deque[tuple[float, bytes]] = deque()
        self._queued = 0
        self._last_due = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._eof = False
        self._paused = False

    def send(self, data: bytes, delay: float = 0.0, rate: float = 0.0) -> None:
        if self.dst is not None and not self._queue and delay <= 0 and rate <= 0:
            self.dst.write(data)  # the fast path: pass-through
            return
        loop = asyncio.get_running_loop()
        due = max(loop.time() + delay, self._last_due)
        step = max(1, int(rate / 20)) if rate > 0 else len(data)  # 50 ms slices when limited
        for start in range(0, len(data), step):
            piece = data[start : start + step]
            if rate > 0:
                due = max(due, loop.time()) + len(piece) / rate
            self._queue.append((due, piece))
            self._queued += len(piece)
        self._last_due = due
        if self._queued > HIGH_WATER and not self._paused:
            self._paused = True
            self._pause()
        self._schedule()

    def attach(self, dst: asyncio.Transport) -> None:
        """The destination is connected: deliver what waited for it."""
        self.dst = dst
        self._drain()

    def finish(self, close: bool = False) -> None:
        """The source sent EOF (``close``: or went away): pass it on, then close ``dst``
        when ``close``, once the queue is delivered, so delayed answers are not lost."""
        self._eof = True
        self._close_after = self._close_after or close
        if not self._queue and self.dst is not None:
            self._end()

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._queue.clear()
        self._queued = 0
        self.done = True

    def _schedule(self) -> None:
        if self._timer is None and self._queue and self.dst is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_at(self._queue[0][0], self._drain)

    def _drain(self) -> None:
        self._timer = None
        dst = self.dst
        if dst is None or dst.is_closing():
            return
        now = asyncio.get_running_loop().time()
        while self._queue and self._queue[0][0] <= now:
            _, piece = self._queue.popleft()
            self._queued -= len(piece)
            dst.write(piece)
        if self._paused and self._queued < HIGH_WATER // 2:
            self._paused = False
            self._resume()
        if not self._queue and self._eof:
            self._end()
        self._schedule()

    def _end(self) -> None:
        dst = self.dst
        if dst is not None and not dst.is_closing():
            if self._close_after:
                dst.close()
            elif dst.can_write_eof():
                try:
                    dst.write_eof()
                except OSError:  # the peer is already gone
                    dst.abort()
        if not self.done:
            self.done = True
            self.on_done()


__all__ = ["HIGH_WATER", "Pipe"]
