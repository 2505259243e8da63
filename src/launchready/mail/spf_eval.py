"""check_host() of RFC 7208 section 4, on our asynchronous resolver.

Terms are evaluated strictly left to right, as the RFC requires: the first match decides,
and the processing limits count only what evaluation actually reaches (the suite's
``include-at-limit`` passes with 11 DNS terms written because the 11th is never reached).
Lookups that do not depend on each other (the addresses of every MX host, the validation
of every PTR name) run concurrently.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Literal

import dns.reversename

from launchready.mail.spf_macros import MacroError, MacroValues, expand, expand_domain, tokenize
from launchready.mail.spf_parse import (
    Mechanism,
    SpfRecord,
    SpfSyntaxError,
    parse_record,
    select_spf_records,
)
from launchready.net.dns import DnsAnswer, Resolver

SpfResultCode = Literal["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"]
LOOKUP_LIMIT = 10
"""DNS-querying terms per evaluation (RFC 7208 4.6.4)."""
VOID_LIMIT = 2
"""Lookups answering NXDOMAIN or no records (RFC 7208 4.6.4, RECOMMENDED default)."""
NAME_LIMIT = 10
"""MX hosts, and PTR names, examined per term (RFC 7208 4.6.4)."""
ELAPSED_LIMIT_S = 20.0
"""RFC 7208 4.6.4: an overall limit of at least 20 s, beyond which the result is temperror."""

_RESULTS: dict[str, SpfResultCode] = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_FAILED = ("servfail", "timeout", "error")
_VOID = ("nxdomain", "nodata")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class SpfResult:
    """The outcome of check_host() for one (ip, domain, sender)."""

    result: SpfResultCode
    mechanism: str | None
    """The term that decided the result, as written: in the checked record, or in the
    record a redirect led to; None for the default result and for errors."""
    explanation: str | None
    """The domain's ``exp=`` text, only for ``fail``, when it could be fetched and expanded."""
    domain: str
    """The domain that was checked (the ``domain`` argument)."""
    reason: str | None = None
    """Why a permerror, temperror or none came about, for people reading the report."""


class _Abort(Exception):
    """permerror or temperror: RFC 7208 ends the whole evaluation, whatever the depth."""

    def __init__(self, result: SpfResultCode, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


@dataclass(frozen=True)
class _Outcome:
    result: SpfResultCode
    mechanism: str | None = None
    explanation: str | None = None
    reason: str | None = None


def spf_identity(mail_from: str, helo: str) -> tuple[str, str]:
    """(domain, sender) for check_host(): MAIL FROM, or ``postmaster@<helo>`` when it is
    empty (RFC 7208 2.4: bounces are checked against the HELO identity)."""
    sender = mail_from.strip().strip("<>") or f"postmaster@{helo}"
    return sender.rpartition("@")[2], sender


async def check_host(
    resolver: Resolver, ip: str, domain: str, sender: str, helo: str | None = None
) -> SpfResult:
    """Evaluate ``domain``'s SPF policy for mail from ``sender`` sent by ``ip``.

    An IPv4-mapped IPv6 address is treated as the IPv4 address (RFC 7208 5, 5.6).
    Raises ValueError only when ``ip`` is not an IP address.
    """
    address: IPAddress = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    local, at, sender_domain = sender.rpartition("@")
    if not at:
        local, sender_domain = "", sender
    full_sender = f"{local or 'postmaster'}@{sender_domain}"
    session = _Session(resolver, address)
    values = MacroValues(
        full_sender,
        local or "postmaster",
        sender_domain,
        domain,
        address,
        helo or "unknown",
        session.validated_name,
    )
    try:
        async with asyncio.timeout(ELAPSED_LIMIT_S):
            outcome = await session.check(domain, values, nested=False)
    except _Abort as abort:
        outcome = _Outcome(abort.result, reason=abort.reason)
    except TimeoutError:
        outcome = _Outcome("temperror", reason=f"evaluation took over {ELAPSED_LIMIT_S:g}s")
    return SpfResult(outcome.result, outcome.mechanism, outcome.explanation, domain, outcome.reason)


def valid_domain(name: str) -> bool:
    """A name a DNS query can be built from: labels of 1-63 octets, 253 in all, ASCII."""
    if not name or len(name) > 253 or not name.isascii():
        return False
    return all(0 < len(label) <= 63 for label in name.split("."))


@dataclass
class _Session:
    """The state shared by one evaluation and all its includes and redirects."""

    resolver: Resolver
    ip: IPAddress
    lookups: int = 0
    voids: int = 0
    _validated: list[str] | None = field(default=None, init=False)

    async def check(self, domain: str, values: MacroValues, *, nested: bool) -> _Outcome:
        """RFC 7208 4.3-4.6 for one domain: find the single record, then evaluate it."""
        name = domain[:-1] if domain.endswith(".") else domain
        if not valid_domain(name) or "." not in name or name.startswith("["):
            return _Outcome("none", reason=f"{domain!r} is not a usable domain name")
        answer = await self.resolver.query(name, "TXT")
        if answer.status in _FAILED:
            raise _Abort("temperror", f"TXT lookup of {name} failed: {answer.status}")
        if answer.status in _VOID and nested:
            self.void(name)
        records = select_spf_records(answer.records)
        if not records:
            return _Outcome("none", reason=f"{name} publishes no SPF record")
        if len(records) > 1:
            raise _Abort("permerror", f"{name} publishes {len(records)} SPF records")
        try:
            record = parse_record(records[0])
        except SpfSyntaxError as exc:
            raise _Abort("permerror", f"{name}: {exc}") from None
        return await self.evaluate(record, values.with_domain(name))

    async def evaluate(self, record: SpfRecord, values: MacroValues) -> _Outcome:
        for mechanism in record.mechanisms:
            if mechanism.queries_dns:
                self.count(mechanism.text)
            if await self.matches(mechanism, values):
                result = _RESULTS[mechanism.qualifier]
                explanation = await self.explain(record, values) if result == "fail" else None
                return _Outcome(result, mechanism.text, explanation)
        redirect = record.redirect
        if redirect is None:
            return _Outcome("neutral")
        self.count(redirect.text)
        target = await expand_domain(redirect.value, values)
        inner = await self.check(target, values, nested=True)
        if inner.result == "none":
            raise _Abort("permerror", f"{redirect.text}: {inner.reason}")
        return inner

    def count(self, term: str) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise _Abort("permerror", f"more than {LOOKUP_LIMIT} DNS-querying terms at {term}")

    def void(self, name: str) -> None:
        self.voids += 1
        if self.voids > VOID_LIMIT:
            raise _Abort("permerror", f"more than {VOID_LIMIT} void lookups (at {name})")

    async def matches(self, mechanism: Mechanism, values: MacroValues) -> bool:
        name = mechanism.name
        if name == "all":
            return True
        if name in ("ip4", "ip6"):
            network = mechanism.network
            return (
                network is not None and network.version == self.ip.version and (self.ip in network)
            )
        target = values.domain
        if mechanism.target is not None:
            target = await expand_domain(mechanism.target, values)
        if name == "include":
            inner = await self.check(target, values, nested=True)
            if inner.result in ("permerror", "temperror"):
                raise _Abort(inner.result, inner.reason or mechanism.text)
            if inner.result == "none":
                raise _Abort("permerror", f"{mechanism.text}: {inner.reason}")
            return inner.result == "pass"
        if not valid_domain(target):
            return False  # RFC 7208 4.8: a malformed target is treated as non-existent
        if name == "ptr":
            names = await self.validated_names(count_void=True)
            suffix = "." + target.lower()
            return any(n == target.lower() or n.endswith(suffix) for n in names)
        if name == "exists":
            answer = self.checked(await self.resolver.query(target, "A"))
            return bool(answer.records)
        if name == "a":
            return self.in_cidr(await self.addresses(target), mechanism)
        return await self.mx_matches(target, mechanism)

    def checked(self, answer: DnsAnswer) -> DnsAnswer:
        """A term's lookup: failures abort with temperror, empty answers count as void."""
        if answer.status in _FAILED:
            raise _Abort("temperror", f"{answer.rdtype} lookup of {answer.name} failed")
        if answer.status in _VOID:
            self.void(answer.name)
        return answer

    async def addresses(self, host: str) -> list[IPAddress]:
        rdtype = "A" if self.ip.version == 4 else "AAAA"
        answer = self.checked(await self.resolver.query(host, rdtype))
        return [ipaddress.ip_address(text) for text in answer.records]

    def in_cidr(self, addresses: list[IPAddress], mechanism: Mechanism) -> bool:
        prefix = mechanism.cidr4 if self.ip.version == 4 else mechanism.cidr6
        return any(
            self.ip in ipaddress.ip_network(f"{address}/{prefix}", strict=False)
            for address in addresses
            if address.version == self.ip.version
        )

    async def mx_matches(self, target: str, mechanism: Mechanism) -> bool:
        answer = self.checked(await self.resolver.query(target, "MX"))
        if len(answer.records) > NAME_LIMIT:
            raise _Abort("permerror", f"{mechanism.text}: more than {NAME_LIMIT} MX records")
        hosts = [r.split()[-1].rstrip(".") for r in answer.records]
        rdtype = "A" if self.ip.version == 4 else "AAAA"
        lookups = [self.resolver.query(h, rdtype) for h in hosts if valid_domain(h)]
        answers = await asyncio.gather(*lookups)
        found = [ipaddress.ip_address(t) for a in answers if a.ok for t in a.records]
        if self.in_cidr(found, mechanism):
            return True
        failed = next((a for a in answers if a.status in _FAILED), None)
        if failed is not None:
            raise _Abort("temperror", f"{rdtype} lookup of MX host {failed.name} failed")
        return False

    async def validated_names(self, *, count_void: bool) -> list[str]:
        """RFC 7208 5.5: names of the first 10 PTR records whose addresses include ip."""
        if self._validated is not None:
            return self._validated
        reverse = dns.reversename.from_address(str(self.ip)).to_text(omit_final_dot=True)
        answer = await self.resolver.query(reverse, "PTR")
        if answer.status in _VOID and count_void:
            self.void(reverse)
        if not answer.ok:
            return []  # a PTR failure is a non-match, never an error (5.5)
        names = [r.rstrip(".").lower() for r in answer.records][:NAME_LIMIT]
        names = [n for n in names if valid_domain(n)]
        rdtype = "A" if self.ip.version == 4 else "AAAA"
        answers = await asyncio.gather(*(self.resolver.query(n, rdtype) for n in names))
        self._validated = [
            name
            for name, a in zip(names, answers, strict=True)
            if a.ok and any(ipaddress.ip_address(t) == self.ip for t in a.records)
        ]
        return self._validated

    async def validated_name(self, domain: str) -> str:
        """``%{p}`` (RFC 7208 7.3): the domain itself, else a subdomain, else any name."""
        names = await self.validated_names(count_void=False)
        domain = domain.lower()
        for name in names:
            if name == domain:
                return name
        for name in names:
            if name.endswith("." + domain):
                return name
        return names[0] if names else "unknown"

    async def explain(self, record: SpfRecord, values: MacroValues) -> str | None:
        """RFC 7208 6.2: any problem with exp= means no explanation, never an error."""
        exp = record.exp
        if exp is None:
            return None
        target = await expand_domain(exp.value, values)
        if not valid_domain(target):
            return None
        answer = await self.resolver.query(target, "TXT")
        if not answer.ok or len(answer.records) != 1:
            return None
        try:
            return await expand(tokenize(answer.records[0], explain=True), values)
        except MacroError:
            return None
