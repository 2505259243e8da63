"""The TLS probe: one host's handshake, certificate chain as served, trust and protocols.

A browser's view is not enough to judge a launch: it hides *why* a handshake fails and it
quietly repairs an incomplete chain. So the probe makes several handshakes, concurrently:

* one that verifies nothing, to see what the server really sends (protocol, cipher and
  the chain exactly as served, leaf first), even when the certificate is bad;
* one with the audit's trust (system roots plus ``network.ca_bundle``) and the real
  hostname, so OpenSSL, not our code, decides whether a client would trust it;
* one per protocol version (TLS 1.0 to 1.3) pinned on both ends.

``network.resolve`` changes only where the TCP connection goes; SNI and the name checked
are always the real hostname. Every handshake has a total deadline, so a server that
accepts TCP and never answers, or drips bytes, ends as a ``timeout`` value, never a hang.

The chain as served comes from the handshake itself (``get_unverified_chain``: public on
Python 3.13, the same method on the private ``_sslobj`` on 3.10 to 3.12), so the probe needs
no pyOpenSSL and no blocking thread.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import warnings
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from launchready.manifest import Network
from launchready.net.certs import CertInfo, cert_info
from launchready.net.dns import Resolver, is_ip_literal
from launchready.net.http import ssl_context

ErrorKind = Literal["refused", "timeout", "tls-alert", "no-tls", "connect", "unresolved", "dns"]
"""``unresolved``: the name does not exist (the dns area reports it); ``dns``: the lookup
itself failed, so nothing can be said about the host."""

VERSIONS: dict[str, ssl.TLSVersion] = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
WEAK_VERSIONS = ("TLSv1", "TLSv1.1")
_NO_TLS_REASONS = (
    "WRONG_VERSION_NUMBER",
    "PACKET_LENGTH_TOO_LONG",
    "RECORD_LAYER_FAILURE",
    "HTTP_REQUEST",
    "UNEXPECTED_EOF",
    "UNEXPECTED_MESSAGE",
)


@dataclass(frozen=True)
class TlsProbe:
    """What one host's port said. ``ok`` is a completed handshake; trust is separate."""

    host: str
    port: int
    address: str | None = None
    """Where the connection went (``127.0.0.1:8443``): after ``network.resolve`` or DNS."""
    ok: bool = False
    error: str | None = None
    error_kind: ErrorKind | None = None
    protocol: str | None = None
    cipher: str | None = None
    chain: tuple[CertInfo, ...] = ()
    """The certificates as the server sent them, leaf first."""
    verified: bool | None = None
    """A client with the audit's roots and the real hostname accepted it (None: no answer)."""
    verify_code: int | None = None
    verify_error: str | None = None
    accepted: Mapping[str, bool | None] = field(default_factory=dict)
    """Per version: accepted, refused, or None when it could not be tested."""

    @property
    def leaf(self) -> CertInfo | None:
        return self.chain[0] if self.chain else None


async def probe_tls(
    host: str,
    port: int,
    network: Network,
    ca_bundle: Path | None,
    timeout: float,  # noqa: ASYNC109 - a deadline per handshake, not for the whole call
    *,
    resolver: Resolver | None = None,
    versions: bool = True,
    limiter: asyncio.Semaphore | None = None,
) -> TlsProbe:
    """Probe ``host:port``; every failure, the server's or the network's, is a value.

    ``limiter`` is the audit's ``--concurrency`` cap: each handshake holds it, so fifty
    hosts probed at once never open hundreds of connections to one server (which a real
    server answers by refusing some, and the audit would then cry wolf)."""
    gate = limiter or asyncio.Semaphore(len(VERSIONS) + 2)
    target, failure = await _target(host, port, network, resolver)
    if target is None:
        kind, message = failure
        return TlsProbe(host, port, error=message, error_kind=kind)
    address, mapped_port = target
    where = f"{address}:{mapped_port}"
    attempts: list[Any] = [
        _handshake(address, mapped_port, host, _inspect_context(), timeout),
        _handshake(address, mapped_port, host, ssl_context(ca_bundle), timeout),
    ]
    if versions:
        attempts += [_accepts(address, mapped_port, host, v, timeout) for v in VERSIONS]
    raw, trusted, *accepted = await asyncio.gather(*(_gated(gate, a) for a in attempts))
    outcome: dict[str, bool | None] = dict.fromkeys(VERSIONS)
    if versions:
        outcome = dict(zip(VERSIONS, accepted, strict=True))
    if isinstance(raw, _Failure):
        return TlsProbe(host, port, where, error=raw.message, error_kind=raw.kind, accepted=outcome)
    verified: bool | None = True
    code: int | None = None
    reason: str | None = None
    if isinstance(trusted, _Failure):
        code, reason = trusted.verify_code, trusted.message
        # A second handshake that failed for another reason (a reset) gives no verdict.
        verified = False if code is not None else None
    return TlsProbe(
        host,
        port,
        where,
        ok=True,
        protocol=raw.protocol,
        cipher=raw.cipher,
        chain=raw.chain,
        verified=verified,
        verify_code=code,
        verify_error=reason,
        accepted=outcome,
    )


async def _gated(gate: asyncio.Semaphore, attempt: Awaitable[Any]) -> Any:
    async with gate:
        return await attempt


@dataclass(frozen=True)
class _Shake:
    protocol: str | None
    cipher: str | None
    chain: tuple[CertInfo, ...]


@dataclass(frozen=True)
class _Failure:
    kind: ErrorKind
    message: str
    verify_code: int | None = None


async def _target(
    host: str, port: int, network: Network, resolver: Resolver | None
) -> tuple[tuple[str, int] | None, tuple[ErrorKind, str]]:
    """The address to connect to: the ``network.resolve`` entry, else DNS (as HttpClient)."""
    override = network.resolve.get(f"{host}:{port}".lower())
    if override is not None:
        address, _, mapped = override.rpartition(":")
        return (address.strip("[]"), int(mapped)), ("connect", "")
    if is_ip_literal(host):
        return (host, port), ("connect", "")
    if network.nameservers and resolver is not None:
        v4, v6 = await asyncio.gather(resolver.query(host, "A"), resolver.query(host, "AAAA"))
        addresses = list(v4.records) + list(v6.records)
        if addresses:
            return (addresses[0], port), ("connect", "")
        if {v4.status, v6.status} <= {"nxdomain", "nodata"}:
            return None, ("unresolved", f"{host} does not resolve")
        return None, ("dns", f"the lookup of {host} failed ({v4.status}, {v6.status})")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return None, ("unresolved", f"{host} does not resolve")
        return None, ("dns", f"the lookup of {host} failed ({exc})")
    return (str(infos[0][4][0]), port), ("connect", "")


async def _handshake(
    address: str, port: int, host: str, context: ssl.SSLContext, seconds: float
) -> _Shake | _Failure:
    """One handshake with SNI ``host``; the connection is dropped as soon as it is done."""
    writer: asyncio.StreamWriter | None = None
    try:
        _, opened = await asyncio.wait_for(
            asyncio.open_connection(
                address, port, ssl=context, server_hostname=host, ssl_handshake_timeout=seconds
            ),
            seconds,
        )
        writer = opened
        sslobj = opened.get_extra_info("ssl_object")
        cipher = sslobj.cipher() if sslobj is not None else None
        return _Shake(
            sslobj.version() if sslobj is not None else None,
            cipher[0] if cipher else None,
            _served_chain(sslobj),
        )
    except ssl.SSLCertVerificationError as exc:
        return _Failure("tls-alert", exc.verify_message or str(exc), exc.verify_code)
    except ssl.SSLError as exc:
        return _ssl_failure(exc)
    except TimeoutError:
        return _Failure("timeout", f"no TLS handshake within {seconds:g}s")
    except ConnectionRefusedError:
        return _Failure("refused", f"{address}:{port} refused the connection")
    except (ConnectionResetError, ConnectionAbortedError, EOFError) as exc:
        return _Failure("no-tls", f"the server closed the connection during the handshake ({exc})")
    except OSError as exc:
        return _Failure("connect", f"{type(exc).__name__}: {exc}")
    finally:
        if writer is not None:
            writer.transport.abort()


def _ssl_failure(exc: ssl.SSLError) -> _Failure:
    reason = str(exc.reason or exc)
    if any(marker in reason.upper() for marker in _NO_TLS_REASONS) or isinstance(
        exc, ssl.SSLEOFError
    ):
        return _Failure("no-tls", f"the server did not complete a TLS handshake ({reason})")
    return _Failure("tls-alert", f"the handshake failed ({reason})")


def _served_chain(sslobj: Any) -> tuple[CertInfo, ...]:
    if sslobj is None:
        return ()
    getter = getattr(sslobj, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(sslobj, "_sslobj", None), "get_unverified_chain", None)
    if getter is None:  # pragma: no cover - an interpreter without either method
        der = sslobj.getpeercert(binary_form=True)
        return (cert_info(der),) if der else ()
    certs = getter() or []
    return tuple(cert_info(_der(c)) for c in certs)


def _der(cert: Any) -> bytes:
    if isinstance(cert, bytes):
        return cert
    return bytes(cert.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]


async def _accepts(address: str, port: int, host: str, version: str, seconds: float) -> bool | None:
    """Whether the server completes a handshake pinned to ``version`` (None: unknown)."""
    context = _version_context(version)
    if context is None:
        return None  # this OpenSSL cannot even offer it: "not accepted" would be a guess
    outcome = await _handshake(address, port, host, context, seconds)
    if isinstance(outcome, _Shake):
        return True
    return False if outcome.kind in ("tls-alert", "no-tls") else None


def _inspect_context() -> ssl.SSLContext:
    """Verifies nothing: used only to read what the server sends."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@functools.cache
def _version_context(version: str) -> ssl.SSLContext | None:
    """A context offering only ``version``, or None when this OpenSSL cannot offer it.

    TLS 1.0 and 1.1 need security level 0 (their ciphers use SHA-1); a build without them
    fails to produce a ClientHello, which a memory handshake detects without a network."""
    context = _inspect_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context.minimum_version = VERSIONS[version]
            context.maximum_version = VERSIONS[version]
            if version in WEAK_VERSIONS:
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):
            return None
    probe = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="probe.invalid")
    try:
        probe.do_handshake()
    except ssl.SSLWantReadError:
        return context  # a ClientHello was written: the version can be offered
    except ssl.SSLError:
        return None
    return context  # pragma: no cover - a handshake cannot finish without a peer
