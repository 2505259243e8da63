"""The demo's certificate authority and one leaf certificate per HTTPS host.

Each host gets its own leaf, chosen during the handshake from the SNI name, because
that is how real multi-host servers behave and because the planted expiring certificate
must belong to one host only. The CA exists only for this run (nothing is cached on
disk but its public PEM, which the manifest names as ``network.ca_bundle``).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme

CERT_LIFETIME_DAYS = 90
EXPIRING_CERT_DAYS = 10
"""Inside the 14-day window of tls.cert-expiring."""


class DemoCertificates:
    """A fresh CA, and per-host TLS server contexts with SNI selection."""

    def __init__(self, lifetimes: Mapping[str, int], default_host: str) -> None:
        """``lifetimes`` maps each hostname to the days its certificate stays valid."""
        self._ca = trustme.CA(organization_name="Demo Candles Lab CA")
        now = datetime.now(UTC).replace(microsecond=0)
        self._leaves: dict[str, trustme.LeafCert] = {}
        self._contexts: dict[str, ssl.SSLContext] = {}
        self.expiry: dict[str, datetime] = {}
        for host, days in lifetimes.items():
            # Issued a day ago, as a certificate renewed by automation would be.
            not_after = now + timedelta(days=days)
            leaf = self._ca.issue_cert(
                host, not_before=now - timedelta(days=1), not_after=not_after
            )
            context = _server_context()
            leaf.configure_cert(context)
            self._leaves[host] = leaf
            self._contexts[host] = context
            self.expiry[host] = not_after
        self._default_host = default_host

    def server_context(self) -> ssl.SSLContext:
        """The listener's context: the default host's certificate, switched by SNI."""
        context = _server_context()
        default = self._contexts[self._default_host]

        def select(
            sslobj: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: ssl.SSLContext
        ) -> None:
            sslobj.context = self._contexts.get((name or "").lower().rstrip("."), default)

        # The outer context also needs a certificate for clients that send no SNI.
        self._leaves[self._default_host].configure_cert(context)
        context.sni_callback = select
        return context

    def write_ca(self, path: Path) -> None:
        """Write the CA certificate, for ``network.ca_bundle`` and for browsers."""
        self._ca.cert_pem.write_to_path(str(path))

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts the demo CA (tests and self-checks)."""
        context = ssl.create_default_context()
        self._ca.configure_trust(context)
        return context


def lifetimes(hosts: tuple[str, ...], *, expiring: str | None) -> dict[str, int]:
    """Every host at 90 days, except ``expiring`` (the flawed chat host) at 10."""
    return {h: EXPIRING_CERT_DAYS if h == expiring else CERT_LIFETIME_DAYS for h in hosts}


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
