"""One asynchronous DNS resolver that honours ``network.nameservers`` (with ports).

Answers are values, not exceptions: NXDOMAIN, an empty answer and a server failure are
facts the DNS checks reason about, so :meth:`Resolver.query` always returns a
:class:`DnsAnswer` and only a misuse raises.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, replace
from typing import Literal

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdata
import dns.rdatatype
import dns.resolver

from launchready.manifest import Network, split_nameserver

MAX_CNAME_HOPS = 8
"""CNAMEs followed across lookups before the chain counts as broken (dnspython's own limit
within one answer is 16; real chains are one or two hops)."""
AnswerStatus = Literal["ok", "nxdomain", "nodata", "servfail", "timeout", "error"]


@dataclass(frozen=True)
class DnsAnswer:
    """What DNS said about ``name``/``rdtype``: a status and the records as text."""

    name: str
    rdtype: str
    status: AnswerStatus
    records: tuple[str, ...] = ()
    ttl: int | None = None
    canonical_name: str | None = None
    """The name the answer came from after following CNAMEs, when it differs from ``name``
    (for an NXDOMAIN: the CNAME target that does not exist)."""
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Resolver:
    """Asks the manifest's nameservers, or the system's when none are given."""

    def __init__(
        self, network: Network, *, timeout: float = 10.0, limiter: asyncio.Semaphore | None = None
    ) -> None:
        self.timeout = timeout
        self._limiter = limiter or asyncio.Semaphore(64)
        if network.nameservers:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(*split_nameserver(ns)) for ns in network.nameservers
            ]
        else:
            self._resolver = dns.asyncresolver.Resolver()
        self._resolver.lifetime = timeout
        self._resolver.timeout = min(timeout, 2.0)
        self._memo: dict[tuple[str, str], asyncio.Task[DnsAnswer]] = {}
        self._raw_memo: dict[tuple[str, str], asyncio.Task[DnsAnswer]] = {}

    async def query(self, name: str, rdtype: str) -> DnsAnswer:
        """Look ``name`` up once per resolver; the outcome (failures too) is in the status.

        Answers are memoised per (name, type) for the life of the resolver, and identical
        queries in flight share one lookup: the SPF tree, the DNS map and a dozen checks ask
        for the same names. dnspython's own cache is not used because it files a negative
        answer under every type of the name, which hides a CNAME behind an NXDOMAIN.
        """
        key = (name.rstrip(".").lower(), rdtype.upper())
        task = self._memo.get(key)
        if task is None:
            task = asyncio.ensure_future(self._chase(*key))
            self._memo[key] = task
        return await asyncio.shield(task)

    async def _chase(self, name: str, rdtype: str) -> DnsAnswer:
        """Finish a CNAME chain the server left unfinished (RFC 1034 section 5.3.3).

        An authoritative server, such as a new DNS provider asked before the cut-over or a
        lab server, answers a CNAME into a zone it does not serve with the CNAME alone. A
        stub resolver reads that as NODATA, which would make a live alias look unresolved
        and hide a target that does not exist; so the chain's end is asked for again.
        Chasing builds only on un-chased lookups, so a CNAME loop across servers ends in a
        SERVFAIL value instead of two lookups waiting for each other.
        """
        hop = answer = await self._raw(name, rdtype)
        seen = {name}
        while hop.status == "nodata" and hop.canonical_name and rdtype != "CNAME":
            target = hop.canonical_name
            if target in seen or len(seen) > MAX_CNAME_HOPS:
                return DnsAnswer(
                    name, rdtype, "servfail", detail=f"CNAME loop or chain too long at {target}"
                )
            seen.add(target)
            hop = await self._raw(target, rdtype)
            answer = replace(
                hop, name=name, rdtype=rdtype, canonical_name=hop.canonical_name or target
            )
        return answer

    async def _raw(self, name: str, rdtype: str) -> DnsAnswer:
        """One lookup as the server answered it, shared by every chain that needs it."""
        key = (name, rdtype)
        task = self._raw_memo.get(key)
        if task is None:
            task = asyncio.ensure_future(self._lookup(name, rdtype))
            self._raw_memo[key] = task
        return await asyncio.shield(task)

    async def _lookup(self, name: str, rdtype: str) -> DnsAnswer:
        async with self._limiter:
            try:
                answer = await self._resolver.resolve(
                    name, rdtype, search=False, raise_on_no_answer=False, lifetime=self.timeout
                )
            except dns.resolver.NXDOMAIN as exc:
                return DnsAnswer(name, rdtype, "nxdomain", canonical_name=_nx_canonical(name, exc))
            except dns.resolver.NoNameservers as exc:
                return DnsAnswer(name, rdtype, "servfail", detail=_short(exc))
            except dns.exception.Timeout:
                return DnsAnswer(
                    name, rdtype, "timeout", detail=f"no answer within {self.timeout:g}s"
                )
            except (dns.exception.DNSException, OSError, ValueError) as exc:
                return DnsAnswer(name, rdtype, "error", detail=_short(exc))
        rrset = answer.rrset
        canonical = str(answer.canonical_name).rstrip(".").lower()
        if rrset is None:
            return DnsAnswer(name, rdtype, "nodata", canonical_name=_differs(name, canonical))
        records = tuple(sorted(_text(rdata) for rdata in rrset))
        return DnsAnswer(name, rdtype, "ok", records, rrset.ttl, _differs(name, canonical))

    async def addresses(self, name: str) -> list[str]:
        """IPv4 then IPv6 addresses of ``name`` (empty when it does not resolve)."""
        if is_ip_literal(name):
            return [name]
        v4, v6 = await asyncio.gather(self.query(name, "A"), self.query(name, "AAAA"))
        return list(v4.records) + list(v6.records)


def _text(rdata: dns.rdata.Rdata) -> str:
    """Presentation text, except TXT: its strings joined and unquoted, as SPF, DMARC and
    DKIM read them (RFC 7208 3.3: a record split into 255-byte strings is one record)."""
    if rdata.rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        return b"".join(rdata.strings).decode("utf-8", errors="replace")  # type: ignore[attr-defined]
    return str(rdata.to_text())


def _nx_canonical(name: str, exc: dns.resolver.NXDOMAIN) -> str | None:
    """For an NXDOMAIN reached through a CNAME, the name that does not exist."""
    try:
        canonical = str(exc.canonical_name).rstrip(".").lower()
    except (KeyError, AttributeError, TypeError):
        return None
    return _differs(name, canonical)


def _differs(name: str, canonical: str) -> str | None:
    return canonical if canonical != name.rstrip(".").lower() else None


def is_ip_literal(text: str) -> bool:
    """``text`` is an IP address rather than a name (``[::1]`` as URLs bracket it, too)."""
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:197] + "..."
