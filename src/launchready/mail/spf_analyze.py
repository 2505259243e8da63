"""The audit's view of an SPF policy: the whole include/redirect tree, without an IP.

check_host() stops at the first match, so it cannot say whether a policy is sound for
every sender. The audit expands everything a receiver *could* reach instead, in two
phases: first every record of the tree and every name an ``a``/``mx``/``exists`` term
names is fetched, level by level and concurrently (a record's includes are independent
lookups); then a pure walk counts lookups and void lookups per occurrence, as a receiver
would, and builds the tree for the report. Terms with macros are counted but not expanded:
their names depend on the message. Both phases are bounded, so an include loop or a
runaway tree ends at a limit and is reported, never waited on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from launchready.mail.spf_eval import LOOKUP_LIMIT, valid_domain
from launchready.mail.spf_parse import (
    Mechanism,
    Modifier,
    SpfRecord,
    SpfSyntaxError,
    parse_record,
    select_spf_records,
)
from launchready.mail.spf_tree import (
    FAILED,
    MAX_COUNTED,
    PROBES,
    VOID,
    Fetched,
    PolicyStatus,
    Walk,
    effective_all,
    reached,
    target_name,
)
from launchready.net.dns import DnsAnswer, Resolver

__all__ = ["MAX_COUNTED", "MAX_DOMAINS", "PolicyStatus", "SpfPolicy", "analyze_spf"]

MAX_DOMAINS = 64
"""Distinct domains fetched for one policy; real trees have 5 to 20."""


@dataclass(frozen=True)
class SpfPolicy:
    """What the audit knows about a domain's SPF policy."""

    domain: str
    records: tuple[str, ...]
    """Every ``v=spf1`` record at the domain (more than one is itself an error)."""
    status: PolicyStatus
    problems: tuple[str, ...]
    lookups: int
    """DNS-querying terms over the whole tree (RFC 7208 4.6.4); at least 11 with a loop."""
    void_lookups: int
    all_qualifier: str | None
    """``+``, ``-``, ``~`` or ``?`` of the effective top-level ``all`` (redirects followed)."""
    includes: tuple[str, ...]
    """Every include/redirect target reached, lower case, in the order first met."""
    tree: dict[str, Any]
    void_names: tuple[str, ...] = ()
    loops: tuple[str, ...] = ()
    open_terms: tuple[str, ...] = ()
    """Terms below the top record that let every address pass (``+all``, ``ip4:0.0.0.0/0``)."""
    truncated: bool = False
    record: SpfRecord | None = None
    """The parsed top-level record; None when missing, multiple or broken."""

    def to_json(self) -> dict[str, Any]:
        """The report's deliverable: the summary and the tree, JSON-able."""
        return {
            "domain": self.domain,
            "status": self.status,
            "records": list(self.records),
            "lookups": self.lookups,
            "void_lookups": self.void_lookups,
            "all": self.all_qualifier,
            "includes": list(self.includes),
            "problems": list(self.problems),
            "truncated": self.truncated,
            "tree": self.tree,
        }


async def analyze_spf(resolver: Resolver, domain: str) -> SpfPolicy:
    """Fetch and assess ``domain``'s SPF policy; DNS failures give status ``temperror``."""
    top = domain.rstrip(".").lower()
    fetched, probes, capped = await _collect(resolver, top)
    head = fetched[top]
    if head.status != "ok" or head.record is None:
        problems = (head.problem,) if head.problem else ()
        tree = {"domain": top, "status": head.status, "records": list(head.records)}
        return SpfPolicy(top, head.records, head.status, problems, 0, 0, None, (), tree)
    walk = Walk(fetched, probes)
    tree = walk.node(top, (top,))
    status: PolicyStatus = "temperror" if walk.temperror else "invalid" if walk.invalid else "ok"
    lookups = max(walk.lookups, LOOKUP_LIMIT + 1) if walk.loops else walk.lookups
    includes = dict.fromkeys([*walk.includes, *sorted(set(fetched) - {top})])
    return SpfPolicy(
        top,
        head.records,
        status,
        tuple(dict.fromkeys(walk.problems)),
        lookups,
        walk.voids,
        effective_all(fetched, top),
        tuple(includes),
        tree,
        tuple(walk.void_names),
        tuple(walk.loops),
        tuple(walk.open_terms),
        capped or walk.truncated,
        head.record,
    )


async def _fetch(resolver: Resolver, domain: str) -> Fetched:
    if not valid_domain(domain) or "." not in domain:
        return Fetched(domain, "none", problem=f"{domain!r} is not a usable domain name")
    answer = await resolver.query(domain, "TXT")
    if answer.status in FAILED:
        why = f"TXT lookup of {domain} failed: {answer.status}"
        return Fetched(
            domain, "temperror", problem=why + (f" ({answer.detail})" if answer.detail else "")
        )
    records = tuple(select_spf_records(answer.records))
    if not records:
        return Fetched(
            domain, "none", problem=f"{domain} has no SPF record", void=answer.status in VOID
        )
    if len(records) > 1:
        why = f"{domain} has {len(records)} v=spf1 records; receivers return permerror"
        return Fetched(domain, "multiple", records, problem=why)
    try:
        record = parse_record(records[0])
    except SpfSyntaxError as exc:
        return Fetched(domain, "invalid", records, problem=f"{domain}: {exc}")
    return Fetched(domain, "ok", records, record)


async def _collect(
    resolver: Resolver, top: str
) -> tuple[dict[str, Fetched], dict[tuple[str, str], DnsAnswer], bool]:
    """Phase one: every record of the tree, level by level, and every probed name."""
    fetched: dict[str, Fetched] = {}
    probes: dict[tuple[str, str], asyncio.Task[DnsAnswer]] = {}
    level, capped = [top], False
    try:
        while level:
            for result in await asyncio.gather(*(_fetch(resolver, d) for d in level)):
                fetched[result.domain] = result
            following: list[str] = []
            for result in (fetched[d] for d in level):
                for term in reached(result.record) if result.record else ():
                    name = term.name if isinstance(term, Mechanism) else "include"
                    target = target_name(term, result.domain)
                    if target is None or not valid_domain(target):
                        continue
                    follows = name == "include" or isinstance(term, Modifier)
                    if follows and target not in fetched and target not in following:
                        following.append(target)
                    for rdtype in PROBES.get(name, ()):
                        if (target, rdtype) not in probes:
                            query = resolver.query(target, rdtype)
                            probes[target, rdtype] = asyncio.ensure_future(query)
            room = MAX_DOMAINS - len(fetched)
            capped = capped or len(following) > room
            level = following[: max(room, 0)]
        done = {key: await task for key, task in probes.items()}
    finally:
        for task in probes.values():
            task.cancel()
    return fetched, done, capped
