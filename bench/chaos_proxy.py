"""The chaos proxy's cost with no fault active: request round trips direct vs through it.

Run by hand, as root (a private network namespace holding only loopback, like every
bench here):

    python bench/chaos_proxy.py [--requests 20000] [--connections 3000]

An aiohttp server answers ``GET /`` with a small JSON body (the "dependency"); the
launchready ``FaultProxy`` forwards to it from another port, in its own process as in
``launchready chaos`` (where it shares a process with the HTTP client, not with the
store). A blocking client in this process times each round trip with ``perf_counter_ns``:

- keep-alive: ``--requests`` requests on one connection, as a store's pooled client sends;
- new connection: ``--connections`` requests each on a fresh connection (the proxy then
  also connects upstream: the worst case for it).

Direct and proxied runs alternate in blocks of 500 so drift hits both alike. The goal
(issue 13): under 1 ms added at p99. Toxiproxy is not compared: it is neither a Debian
package nor on PyPI, and its release binaries are downloads this bench may not fetch.
The fastest pass-through relays that install here are timed in the same run instead,
when present (Debian ``socat`` and ``haproxy`` in TCP mode): the floor a byte relay in
front of a dependency costs, without any fault machinery.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import socket
import subprocess
import tempfile
import time
from multiprocessing.synchronize import Event
from pathlib import Path

from isolation import isolate

BODY = b'{"text": "The lavender candle makes a lovely gift."}'
REQUEST = b"GET / HTTP/1.1\r\nHost: llm.bench\r\n\r\n"
BLOCK = 500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _upstream(port: int, ready: Event) -> None:
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=BODY, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def _proxy(listen: int, upstream: int, ready: Event) -> None:
    from launchready.chaos import FaultProxy

    async def main() -> None:
        async with FaultProxy(f"127.0.0.1:{listen}", f"127.0.0.1:{upstream}"):
            ready.set()
            await asyncio.Event().wait()

    asyncio.run(main())


def _start(target: object, *args: object) -> multiprocessing.Process:
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=target, args=(*args, ready), daemon=True)
    process.start()
    if not ready.wait(15):
        raise RuntimeError(f"{target} did not start")
    return process


def _read_response(sock: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(65536)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def keep_alive(port: int, count: int, sock: socket.socket) -> list[int]:
    times = []
    for _ in range(count):
        started = time.perf_counter_ns()
        sock.sendall(REQUEST)
        _read_response(sock)
        times.append(time.perf_counter_ns() - started)
    return times


def fresh(port: int, count: int) -> list[int]:
    times = []
    for _ in range(count):
        started = time.perf_counter_ns()
        with _connect(port) as sock:
            sock.sendall(REQUEST)
            _read_response(sock)
        times.append(time.perf_counter_ns() - started)
    return times


def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1000


def report(name: str, direct: list[int], relays: dict[str, list[int]]) -> None:
    print(f"\n{name}: {len(direct)} round trips each")
    print("| path | p50 | p90 | p99 | max | added p50 / p99 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, values in {"direct": direct, **relays}.items():
        cells = " | ".join(f"{percentile(values, q):.0f} µs" for q in (0.5, 0.9, 0.99, 1.0))
        added = "-"
        if label != "direct":
            plus = [percentile(values, q) - percentile(direct, q) for q in (0.5, 0.99)]
            added = f"+{plus[0]:.0f} / +{plus[1]:.0f} µs"
        print(f"| {label} | {cells} | {added} |")


def _peers(upstream: int, folder: Path) -> dict[str, tuple[int, subprocess.Popen[bytes]]]:
    """The installed byte relays, each listening on its own port in front of ``upstream``."""
    started: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    if shutil.which("socat"):
        port = free_port()
        command = [
            "socat",
            f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr",
            f"TCP:127.0.0.1:{upstream},nodelay",
        ]
        started["socat"] = (port, subprocess.Popen(command))
    if shutil.which("haproxy"):
        port = free_port()
        config = folder / "haproxy.cfg"
        config.write_text(
            "global\n  maxconn 4096\ndefaults\n  mode tcp\n  timeout connect 5s\n"
            "  timeout client 30s\n  timeout server 30s\n"
            f"listen relay\n  bind 127.0.0.1:{port}\n  server up 127.0.0.1:{upstream}\n"
        )
        started["haproxy"] = (port, subprocess.Popen(["haproxy", "-f", str(config)]))
    for port, _ in started.values():
        _wait_listening(port)
    return started


def _wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=3000)
    args = parser.parse_args()
    isolate()
    upstream, listen = free_port(), free_port()
    processes = [_start(_upstream, upstream), _start(_proxy, listen, upstream)]
    folder = Path(tempfile.mkdtemp(prefix="lr-bench-relay-"))
    peers: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    try:
        peers = _peers(upstream, folder)
        ports = {"FaultProxy": listen, **{name: port for name, (port, _) in peers.items()}}
        direct_sock = _connect(upstream)
        socks = {name: _connect(port) for name, port in ports.items()}
        keep_alive(upstream, BLOCK, direct_sock)  # warm-up
        for name, port in ports.items():
            keep_alive(port, BLOCK, socks[name])
        direct: list[int] = []
        relays: dict[str, list[int]] = {name: [] for name in ports}
        for _ in range(max(1, args.requests // BLOCK)):
            direct += keep_alive(upstream, BLOCK, direct_sock)
            for name, port in ports.items():
                relays[name] += keep_alive(port, BLOCK, socks[name])
        report("keep-alive", direct, relays)
        direct, relays = [], {name: [] for name in ports}
        for _ in range(max(1, args.connections // BLOCK)):
            direct += fresh(upstream, BLOCK)
            for name, port in ports.items():
                relays[name] += fresh(port, BLOCK)
        report("new connection per request", direct, relays)
    finally:
        for _, process in peers.values():
            process.terminate()
            process.wait(5)
        for process in processes:
            process.terminate()
            process.join(5)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
