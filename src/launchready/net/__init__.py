"""The only place that opens sockets.

Everything that talks to the store goes through :class:`Resolver` and :class:`HttpClient`,
so ``network.nameservers``, ``network.resolve`` and ``network.ca_bundle`` apply to every
check alike, and ``--timeout`` and ``--concurrency`` are enforced in one place.
"""

from __future__ import annotations

from launchready.net.dns import DnsAnswer, Resolver
from launchready.net.http import HttpClient, HttpResponse

__all__ = ["DnsAnswer", "HttpClient", "HttpResponse", "Resolver"]
