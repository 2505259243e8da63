"""Loopback listening sockets for the demo's servers, bound before any server starts.

Binding first (in the caller's thread) means the ports are known before the server thread
runs, and a failure to bind surfaces in ``DemoStore.start``, not later in the thread.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
RESERVED_LOW = 20000
"""Below this, ports belong to well-known services more often than not."""
EPHEMERAL_RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range"
IANA_EPHEMERAL_LOW = 49152


def tcp_listener(backlog: int = 128) -> socket.socket:
    """A TCP socket listening on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((LOOPBACK, 0))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports nothing listens on right now, for servers someone
    else will start (``launchready chaos``'s proxy, on each dependency's ``listen``
    address), all held until all are chosen so no two are the same.

    They are drawn below the kernel's ephemeral range: a port handed out by ``bind(0)``
    stays in that range, where any outgoing connection on the machine may take it as its
    source port before the proxy binds it; a port below the range is never picked that way.
    """
    low = _ephemeral_low()
    candidates = list(range(RESERVED_LOW, low))
    random.shuffle(candidates)
    held: list[socket.socket] = []
    try:
        for port in candidates:
            if len(held) == count:
                break
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                sock.close()
                continue
            held.append(sock)
        while len(held) < count:  # no room below the range: take what bind(0) gives
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(sock)
            sock.bind((LOOPBACK, 0))
        return [int(sock.getsockname()[1]) for sock in held]
    finally:
        for sock in held:
            sock.close()


def _ephemeral_low() -> int:
    """The first port of the ephemeral range (Linux's setting; IANA's 49152 elsewhere)."""
    try:
        text = Path(EPHEMERAL_RANGE_FILE).read_text(encoding="ascii")
        return max(RESERVED_LOW, int(text.split()[0]))
    except (OSError, ValueError, IndexError):
        return IANA_EPHEMERAL_LOW
