"""A TCP proxy that delays every chunk by a fixed time in each direction.

Stands in for network latency where ``tc netem`` is not available: with 10 ms each way,
every round trip through the proxy (TCP data, TLS handshake flights, HTTP request and
response) costs about 20 ms, as a nearby real server would. It runs in its own process so
the tool being measured cannot slow it down.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    try:
        while data := await reader.read(65536):
            await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _serve(
    listen: tuple[str, int],
    upstream: tuple[str, int],
    delay: float,
    ready: multiprocessing.synchronize.Event,
) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*upstream)
        except OSError:
            client_w.close()
            return
        await asyncio.sleep(delay)  # the SYN/ACK leg of the connection
        await asyncio.gather(_pipe(client_r, server_w, delay), _pipe(server_r, client_w, delay))

    server = await asyncio.start_server(handle, *listen, reuse_address=True, backlog=1024)
    ready.set()
    async with server:
        await server.serve_forever()


def _main(
    listen: tuple[str, int],
    upstream: tuple[str, int],
    delay: float,
    ready: multiprocessing.synchronize.Event,
) -> None:
    asyncio.run(_serve(listen, upstream, delay, ready))


class DelayProxy:
    """``with DelayProxy(("127.0.0.2", 443), ("127.0.0.1", 8443), 0.010):`` in a child process."""

    def __init__(self, listen: tuple[str, int], upstream: tuple[str, int], delay: float) -> None:
        self._ready = multiprocessing.Event()
        self._process = multiprocessing.Process(
            target=_main, args=(listen, upstream, delay, self._ready), daemon=True
        )

    def __enter__(self) -> DelayProxy:
        self._process.start()
        if not self._ready.wait(10):
            raise RuntimeError("the delay proxy did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._process.terminate()
        self._process.join(5)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
