"""What the DNS area looks up, what DNS answered, and the DNS map built from it.

The rules never query DNS themselves: the area fetches every answer it needs in a few
concurrent rounds into a :class:`Survey`, and the rules read it. A rule that meets an
answer it cannot judge (a timeout, a SERVFAIL) records the failure instead of guessing, so
the area can report "could not check" rather than a finding built on silence.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from launchready.findings import JSONValue
from launchready.manifest import Manifest
from launchready.manifest.models import ExpectedRecord
from launchready.net.dns import DnsAnswer, Resolver

MAP_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA")
"""The record types of the DNS map deliverable."""
JUDGEABLE = ("ok", "nxdomain", "nodata")
"""Statuses that say something about the zone; the others say something about the network."""
_SERVER_SAID = re.compile(r"Server (?:Do53:)?(\S+) answered ([^;]*)")


def hostname(name: str) -> str:
    """The comparable spelling of a DNS name: lower case, no trailing dot."""
    return name.strip().rstrip(".").lower()


def within(name: str, domain: str) -> bool:
    """True when ``name`` is ``domain`` or a name under it."""
    name, domain = hostname(name), hostname(domain)
    return name == domain or name.endswith("." + domain)


@dataclass(frozen=True)
class Plan:
    """The names the manifest asks the DNS area to judge, and what each one is."""

    apex: str
    hosts: tuple[str, ...]
    """Audited hosts other than the apex (site.hosts, routes, redirects, chatbot)."""
    staging: tuple[str, ...]
    expected: tuple[ExpectedRecord, ...]
    canonical_host: str | None
    checkout_hosts: frozenset[str]
    home_url: str
    host_roles: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, manifest: Manifest) -> Plan:
        site = manifest.site
        apex = hostname(site.domain)
        canonical = hostname(urlsplit(site.canonical).hostname or "") if site.canonical else None
        storefront = next((h.name for h in site.hosts if h.role == "storefront"), None)
        home = site.canonical or f"https://{storefront or apex}/"
        return cls(
            apex=apex,
            hosts=tuple(
                dict.fromkeys(hostname(h) for h in manifest.audited_hosts() if hostname(h) != apex)
            ),
            staging=tuple(dict.fromkeys(hostname(s) for s in site.staging)),
            expected=tuple(manifest.dns.expect) if manifest.dns else (),
            canonical_host=canonical or None,
            checkout_hosts=frozenset(r.host for r in manifest.routes if r.checkout),
            home_url=home,
            host_roles=tuple((h.name, h.role) for h in site.hosts),
        )

    @cached_property
    def map_names(self) -> list[str]:
        """Every name the map shows and the rules judge, apex first."""
        names = [self.apex, *self.hosts, *self.staging, *(e.name for e in self.expected)]
        return list(dict.fromkeys(hostname(n) for n in names))

    def roles(self, name: str) -> list[str]:
        """What ``name`` is to the store, for the map (``apex``, ``storefront``, ...)."""
        roles = ["apex"] if name == self.apex else []
        roles += [role for host, role in self.host_roles if host == name and role != "other"]
        if name == self.canonical_host:
            roles.append("canonical")
        if name in self.checkout_hosts:
            roles.append("checkout")
        if name in self.staging:
            roles.append("staging")
        if any(hostname(e.name) == name for e in self.expected):
            roles.append("expected")
        if not roles and name in self.hosts:
            roles.append("host")
        return roles


class Survey:
    """DNS answers by (name, type), fetched concurrently, and the lookups that failed."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self.answers: dict[tuple[str, str], DnsAnswer] = {}
        self.failures: dict[tuple[str, str], str] = {}

    async def fetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Look every (name, type) up at once; names already answered are not asked again."""
        todo = [
            key
            for key in dict.fromkeys((hostname(n), t.upper()) for n, t in pairs)
            if key not in self.answers
        ]
        found = await asyncio.gather(*(self._resolver.query(n, t) for n, t in todo))
        self.answers.update(zip(todo, found, strict=True))

    def peek(self, name: str, rdtype: str) -> DnsAnswer | None:
        """The answer, if it was fetched, whatever its status."""
        return self.answers.get((hostname(name), rdtype))

    def judged(self, name: str, rdtype: str) -> DnsAnswer | None:
        """The answer when it can be judged; otherwise None, and the failure is recorded."""
        key = (hostname(name), rdtype)
        answer = self.answers.get(key)
        if answer is None:
            raise KeyError(f"{key} was not fetched before a rule read it")
        if answer.status in JUDGEABLE:
            return answer
        self.failures.setdefault(key, failure_text(answer))
        return None

    def addresses(self, name: str) -> list[str] | None:
        """A and AAAA records of ``name``; None when a failure leaves the answer unknown.

        One type answering is enough to say the name resolves, but "no address" needs
        both types judged: an AAAA that timed out may be the record that exists.
        """
        found: list[str] = []
        unknown = False
        for rdtype in ("A", "AAAA"):
            answer = self.peek(name, rdtype)
            if answer is not None and answer.ok:
                found += answer.records
            elif answer is None or answer.status not in JUDGEABLE:
                unknown = True
        if found:
            return found
        if unknown:
            self.judged(name, "A")
            self.judged(name, "AAAA")
            return None
        return []

    def cname(self, name: str) -> str | None:
        """The CNAME target of ``name`` (first hop), when it has one."""
        answer = self.peek(name, "CNAME")
        if answer is None or not answer.ok or not answer.records:
            return None
        return hostname(answer.records[0])


def failure_text(answer: DnsAnswer) -> str:
    """``www.shop.test AAAA: timeout (no answer within 2s)``: for the check error reason.

    dnspython repeats the whole question before each server's complaint; the reason keeps
    only who answered what (``127.0.0.1@53 answered REFUSED``).
    """
    detail = answer.detail or ""
    complaints = _SERVER_SAID.findall(detail)
    if complaints:
        detail = "; ".join(f"{server} answered {what.strip()}" for server, what in complaints)
    return f"{answer.name} {answer.rdtype}: {answer.status}" + (f" ({detail})" if detail else "")


def display(rdtype: str, value: str) -> str:
    """A record value as the map shows it: names without their trailing dot."""
    if rdtype in ("CNAME", "NS"):
        return value.rstrip(".")
    if rdtype == "MX":
        parts = value.split()
        return " ".join([*parts[:-1], parts[-1].rstrip(".")]) if parts else value
    return value


def dns_map(plan: Plan, survey: Survey, discovered: Iterable[str]) -> list[dict[str, JSONValue]]:
    """The DNS map deliverable: each name, its roles and its records by type (JSON-able).

    A name behind a CNAME shows the CNAME and the addresses it leads to (``via`` names the
    end of the chain), not the target's other records, which belong to the target.
    """
    entries: list[dict[str, JSONValue]] = []
    extra = [n for n in dict.fromkeys(hostname(d) for d in discovered) if n not in plan.map_names]
    for name in plan.map_names + extra:
        records: dict[str, JSONValue] = {}
        errors: dict[str, JSONValue] = {}
        statuses: set[str] = set()
        for rdtype in MAP_TYPES:
            answer = survey.peek(name, rdtype)
            if answer is None:
                continue
            statuses.add(answer.status)
            if answer.ok and (answer.canonical_name is None or rdtype in ("A", "AAAA")):
                records[rdtype] = [display(rdtype, r) for r in answer.records]
            elif answer.status not in JUDGEABLE:
                errors[rdtype] = (
                    f"{answer.status}: {answer.detail}" if answer.detail else answer.status
                )
        first = survey.peek(name, "A")
        via = first.canonical_name if first is not None else None
        entries.append(
            {
                "name": name,
                "roles": plan.roles(name) if name in plan.map_names else ["discovered"],
                "status": _status(records, statuses, errors, first),
                "records": records,
                "via": via,
                "errors": errors,
            }
        )
    return entries


def _status(
    records: dict[str, JSONValue],
    statuses: set[str],
    errors: dict[str, JSONValue],
    first: DnsAnswer | None,
) -> str:
    """ok, dangling (a CNAME to a name that does not exist), nxdomain, empty or error."""
    if records:
        dangling = first is not None and first.status == "nxdomain" and first.canonical_name
        return "dangling" if dangling else "ok"
    if "nxdomain" in statuses:
        return "nxdomain"
    return "error" if errors else "empty"
