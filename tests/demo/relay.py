"""A TCP relay the tests put on a dependency's ``listen`` address: the observer of the
staging store's calls, written here so the demo's tests need nothing from ``chaos``.

It forwards to the dependency's ``upstream`` (``pass``), forwards with every answer
chunk held back ``delay`` seconds (``delay``), or accepts and never answers (``hang``).
It records what it sees: the connections made (the staging store opens one per call)
and every byte the store sent, which tests await instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

WAIT_S = 5.0


@dataclass
class Relay:
    listen: tuple[str, int]
    upstream: tuple[str, int]
    mode: str = "pass"
    delay: float = 0.0
    connections: int = 0
    sent: bytearray = field(default_factory=bytearray)
    """Everything the store sent, all connections together, in arrival order."""
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        host, port = self.listen
        self._server = await asyncio.start_server(self._accept, host, port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    async def wait_for(self, condition: Callable[[Relay], bool], within: float = WAIT_S) -> bool:
        """True once ``condition`` holds (re-checked on each event), else TimeoutError."""
        async with asyncio.timeout(within):
            while not condition(self):
                self._changed.clear()
                await self._changed.wait()
        return True

    def saw(self, text: str) -> bool:
        return text.encode() in self.sent

    def _notify(self) -> None:
        self._changed.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._notify()
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if self.mode == "hang":
                while await reader.read(65536):
                    pass
                return
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            self._writers.add(up_writer)
            await asyncio.gather(
                self._pump(reader, up_writer, record=True),
                self._pump(up_reader, writer, record=False),
            )
        except (ConnectionError, OSError):
            pass
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, record: bool
    ) -> None:
        try:
            while chunk := await reader.read(65536):
                if record:
                    self.sent += chunk
                    self._notify()
                elif self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def relay(
    listen: str, upstream: str, mode: str = "pass", delay: float = 0.0
) -> AsyncIterator[Relay]:
    """A running relay from ``listen`` (``host:port``) to ``upstream`` for the block."""
    one = Relay(_split(listen), _split(upstream), mode=mode, delay=delay)
    await one.start()
    try:
        yield one
    finally:
        await one.close()


def _split(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host, int(port)
