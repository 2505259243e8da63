"""One HTTP client for every check: manifest-aware resolution, bounded bodies, shared fetches.

``network.resolve`` works like ``curl --resolve``: the connection goes to the mapped
address while the URL, the Host header, SNI and certificate verification keep the real
hostname. ``network.ca_bundle`` adds roots; verification is never turned off.

Hostile servers are expected: a body is read up to a limit and every request has a total
timeout, so an endless body or a slow drip becomes an error value, never a hang.
"""

from __future__ import annotations

import asyncio
import functools
import json as _json
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from launchready import __version__
from launchready.manifest import Network
from launchready.net.dns import Resolver, is_ip_literal

ErrorKind = Literal["timeout", "dns", "connect", "tls", "protocol"]
MAX_BODY_BYTES = 5 * 1024 * 1024
USER_AGENT = f"launchready/{__version__} (+launch audit)"


@dataclass(frozen=True)
class HttpResponse:
    """A response, or the reason there is none (``status`` None, ``error`` set)."""

    method: str
    url: str
    status: int | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    ttfb_ms: float | None = None
    total_ms: float | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """A response arrived (any status)."""
        return self.status is not None

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class ManifestResolver(AbstractResolver):
    """aiohttp resolver: the ``network.resolve`` map first, then our DNS resolver."""

    def __init__(self, network: Network, resolver: Resolver) -> None:
        self._overrides = network.resolve
        self._dns = resolver
        self._use_dns = bool(network.nameservers)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        override = self._overrides.get(f"{host}:{port}".lower())
        if override is not None:
            address, _, mapped_port = override.rpartition(":")
            return [_result(host, address.strip("[]"), int(mapped_port))]
        if is_ip_literal(host):
            return [_result(host, host, port)]
        if self._use_dns:
            addresses = await self._dns.addresses(host)
        else:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM, family=family
            )
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise OSError(f"{host} does not resolve")
        return [_result(host, address, port) for address in addresses]

    async def close(self) -> None:
        return None


def _result(hostname: str, address: str, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return {
        "hostname": hostname,
        "host": address,
        "port": port,
        "family": family,
        "proto": 0,
        "flags": socket.AI_NUMERICHOST,
    }


@functools.cache
def ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """System roots plus the manifest's extra roots; hostname checks stay on.

    Cached: loading the system roots costs ~15 ms, and an agency auditing a hundred stores
    in one process should pay it once, not per audit (contexts are safe to share)."""
    context = ssl.create_default_context()
    if ca_bundle is not None:
        context.load_verify_locations(cafile=str(ca_bundle))
    return context


class HttpClient:
    """The audit's HTTP client: one connection pool, one timeout, one concurrency limit.

    GET responses fetched with :meth:`get` are memoised for the life of the client, so
    the many checks that read the home page cause one request, not ten.
    """

    def __init__(
        self,
        network: Network,
        resolver: Resolver,
        *,
        ca_bundle: Path | None = None,
        timeout: float = 10.0,
        limiter: asyncio.Semaphore | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.timeout = timeout
        self.max_body = max_body
        self._limiter = limiter or asyncio.Semaphore(64)
        self._ssl = ssl_context(ca_bundle)
        self._connector = aiohttp.TCPConnector(
            resolver=ManifestResolver(network, resolver), ssl=self._ssl, limit=0, ttl_dns_cache=60
        )
        self._session = aiohttp.ClientSession(
            connector=self._connector,
            headers={"User-Agent": USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=timeout),
            auto_decompress=True,
        )
        self._memo: dict[str, asyncio.Task[HttpResponse]] = {}

    @property
    def limiter(self) -> asyncio.Semaphore:
        """The audit-wide cap on operations in flight (``--concurrency``), for the other
        socket users of the network layer (the TLS probe) to share."""
        return self._limiter

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._session.close()

    async def get(self, url: str) -> HttpResponse:
        """GET ``url`` once per client; later calls share the first response."""
        return await self.request_once("GET", url)

    async def request_once(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """:meth:`request`, but the same request (method, URL, headers, body) is sent once
        per client and its response shared: every check that reads a route or a page sees
        the same answer, and the store sees one request, not ten."""
        key = _json.dumps(
            [
                method.upper(),
                url,
                sorted((headers or {}).items()),
                json,
                sorted((form or {}).items()) if form is not None else None,
            ],
            default=str,
        )
        task = self._memo.get(key)
        if task is None:
            task = asyncio.ensure_future(
                self.request(method, url, headers=headers, json=json, form=form)
            )
            self._memo[key] = task
        return await asyncio.shield(task)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        max_body: int | None = None,
    ) -> HttpResponse:
        """One request, redirects not followed; failures come back as an error value."""
        limit = self.max_body if max_body is None else max_body
        async with self._limiter:
            started = time.perf_counter()
            ttfb: float | None = None
            try:
                async with self._session.request(
                    method,
                    url,
                    headers=dict(headers or {}),
                    json=json,
                    data=dict(form) if form is not None else None,
                    allow_redirects=False,
                ) as response:
                    ttfb = (time.perf_counter() - started) * 1000
                    body, truncated = await _read_bounded(response, limit)
                    return HttpResponse(
                        method,
                        url,
                        response.status,
                        tuple((k, v) for k, v in response.headers.items()),
                        body,
                        truncated,
                        round(ttfb, 1),
                        round((time.perf_counter() - started) * 1000, 1),
                    )
            except (TimeoutError, aiohttp.ServerTimeoutError):
                return _failure(
                    method,
                    url,
                    started,
                    ttfb,
                    "timeout",
                    f"no complete answer within {self.timeout:g}s",
                )
            except aiohttp.ClientConnectorCertificateError as exc:
                return _failure(method, url, started, ttfb, "tls", str(exc.certificate_error))
            except aiohttp.ClientConnectorSSLError as exc:
                return _failure(method, url, started, ttfb, "tls", str(exc.os_error))
            except aiohttp.ClientConnectorDNSError as exc:
                return _failure(method, url, started, ttfb, "dns", str(exc.os_error))
            except aiohttp.ClientConnectorError as exc:
                return _failure(method, url, started, ttfb, "connect", str(exc.os_error))
            except (aiohttp.ClientError, ssl.SSLError, OSError, ValueError) as exc:
                return _failure(
                    method, url, started, ttfb, "protocol", f"{type(exc).__name__}: {exc}"
                )


async def _read_bounded(response: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _failure(
    method: str, url: str, started: float, ttfb: float | None, kind: ErrorKind, message: str
) -> HttpResponse:
    return HttpResponse(
        method,
        url,
        None,
        ttfb_ms=ttfb,
        total_ms=round((time.perf_counter() - started) * 1000, 1),
        error=message or kind,
        error_kind=kind,
    )
