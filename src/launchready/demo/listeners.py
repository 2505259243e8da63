"""Every listening socket of the demo store, bound before its server thread starts.

Binding first (in the caller's thread) means the ports are known before the thread runs,
and a failure to bind surfaces in ``DemoStore.start``, not later in the thread.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from launchready.demo.dns_server import bind_dns_sockets
from launchready.demo.sockets import LOOPBACK, tcp_listener
from launchready.demo.stagingsite import StagingListeners
from launchready.errors import ToolError


@dataclass
class Listeners:
    https: socket.socket
    http: socket.socket
    dns_udp: socket.socket
    dns_tcp: socket.socket
    cloudflare: socket.socket
    """The fake Cloudflare API (plain HTTP, as a lab's ``api_base`` may be)."""
    staging: StagingListeners

    def close(self) -> None:
        for sock in (self.https, self.http, self.dns_udp, self.dns_tcp, self.cloudflare):
            sock.close()
        self.staging.close()


def bind_listeners() -> Listeners:
    """Free loopback ports for HTTPS, HTTP, DNS (UDP and TCP on the same port), the fake
    Cloudflare API and the staging side."""
    opened: list[socket.socket] = []
    try:
        https = tcp_listener()
        opened.append(https)
        http = tcp_listener()
        opened.append(http)
        udp, tcp = bind_dns_sockets(LOOPBACK)
        opened += [udp, tcp]
        cloudflare = tcp_listener()
        opened.append(cloudflare)
        staging = StagingListeners.bind()
    except OSError as exc:
        for sock in opened:
            sock.close()
        raise ToolError(f"the demo store could not bind a loopback port: {exc}") from exc
    return Listeners(
        https=https, http=http, dns_udp=udp, dns_tcp=tcp, cloudflare=cloudflare, staging=staging
    )
