"""The second phase of the SPF audit: a pure walk over records already fetched.

It counts what a receiver would count, per occurrence (an include reached twice costs
twice), and draws the JSON tree the report shows. Being pure, it cannot wait on anything;
being bounded by ``MAX_COUNTED`` and by loop detection along the path, it always ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from launchready.mail.spf_eval import NAME_LIMIT, valid_domain
from launchready.mail.spf_macros import has_macros, literal_text
from launchready.mail.spf_parse import Mechanism, Modifier, SpfRecord
from launchready.net.dns import DnsAnswer

PolicyStatus = Literal["ok", "none", "multiple", "invalid", "temperror"]
MAX_COUNTED = 50
"""Lookups counted before the walk stops: far past the limit of 10 that matters."""
PROBES = {"a": ("A", "AAAA"), "mx": ("MX",), "exists": ("A",)}
"""What each term queries, fetched up front so the walk can tell a void lookup."""
FAILED = ("servfail", "timeout", "error")
VOID = ("nxdomain", "nodata")


@dataclass(frozen=True)
class Fetched:
    """One domain of the tree as phase one found it."""

    domain: str
    status: PolicyStatus
    records: tuple[str, ...] = ()
    record: SpfRecord | None = None
    problem: str | None = None
    void: bool = False


def reached(record: SpfRecord) -> Iterator[Mechanism | Modifier]:
    """The terms a receiver can reach: mechanisms up to ``all``, then the redirect."""
    for mechanism in record.mechanisms:
        yield mechanism
        if mechanism.name == "all":
            return
    if record.redirect is not None:
        yield record.redirect


def target_name(term: Mechanism | Modifier, domain: str) -> str | None:
    """The literal name a term queries (lower case), or None when it holds macros."""
    tokens = term.value if isinstance(term, Modifier) else term.target
    if tokens is None:
        return domain
    if has_macros(tokens):
        return None
    name = literal_text(tokens).lower()
    return name[:-1] if name.endswith(".") else name


@dataclass
class Walk:
    """Phase two: count what a receiver would count, per occurrence, and draw the tree."""

    fetched: dict[str, Fetched]
    probes: dict[tuple[str, str], DnsAnswer]
    lookups: int = 0
    voids: int = 0
    problems: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    void_names: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    open_terms: list[str] = field(default_factory=list)
    invalid: bool = False
    temperror: bool = False
    truncated: bool = False

    def node(self, domain: str, path: tuple[str, ...]) -> dict[str, Any]:
        found = self.fetched.get(domain)
        if found is None:
            self.truncated = True
            return {"domain": domain, "status": "not-checked"}
        node: dict[str, Any] = {"domain": domain, "status": found.status}
        if found.record is None:
            node["records"] = list(found.records)
            self.temperror = self.temperror or found.status == "temperror"
            self.invalid = self.invalid or found.status != "temperror"
            self.problems.append(f"{found.problem}; reached via {' → '.join(path[:-1])}")
            return node
        record = found.record
        lookups, voids = self.lookups, self.voids
        node["record"] = record.text
        node["terms"] = [self.term(t, domain, path, record) for t in record.terms]
        node["lookups"], node["void_lookups"] = self.lookups - lookups, self.voids - voids
        return node

    def term(
        self, term: Mechanism | Modifier, domain: str, path: tuple[str, ...], record: SpfRecord
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"term": term.text}
        if not any(term is t for t in reached(record)):
            if isinstance(term, Mechanism):
                item["unreached"] = True
                self.problems.append(f"{domain}: {term.text} comes after 'all' and is never used")
            elif term.name == "redirect":
                item["unreached"] = True
                self.problems.append(f"{domain}: {term.text} is ignored because of 'all' (6.1)")
            return item
        if isinstance(term, Mechanism) and not term.queries_dns:
            self.open_check(term, domain, path)
            return item
        if isinstance(term, Modifier) and term.name != "redirect":
            return item
        self.lookups += 1
        item["lookup"] = True
        if self.lookups > MAX_COUNTED:
            self.truncated = True
            return item
        target = target_name(term, domain)
        if target is None:
            item["macro"] = True
            return item
        if not valid_domain(target):
            item["malformed"] = True
            self.problems.append(f"{domain}: {term.text} names no valid domain")
            # an include or redirect of a malformed name is a permerror (RFC 7208 4.3, 5.2);
            # an a/mx/exists of one simply never matches
            self.invalid = self.invalid or isinstance(term, Modifier) or term.name == "include"
            return item
        if isinstance(term, Modifier):
            self.follow(item, "redirect", target, path)
        elif term.name == "include":
            self.follow(item, "include", target, path)
        elif term.name == "ptr":
            self.problems.append(f"{term.text}: ptr is slow and RFC 7208 5.5 says not to use it")
        else:
            self.probe(item, term, target)
        return item

    def open_check(self, term: Mechanism, domain: str, path: tuple[str, ...]) -> None:
        nested_all = term.name == "all" and len(path) > 1
        everyone = nested_all or (term.network is not None and term.network.prefixlen == 0)
        if everyone and term.qualifier == "+":
            via = f" (via {' → '.join(path[:-1])})" if len(path) > 1 else ""
            self.open_terms.append(f"{term.text} in {domain}{via}")

    def follow(self, item: dict[str, Any], kind: str, target: str, path: tuple[str, ...]) -> None:
        if target not in self.includes:
            self.includes.append(target)
        if target in path:
            loop = " → ".join((*path[path.index(target) :], target))
            item["loop"] = True
            if loop not in self.loops:
                self.loops.append(loop)
                self.problems.append(f"{kind} loop {loop}: receivers give up with permerror")
            return
        found = self.fetched.get(target)
        if found is not None and found.void:
            self.count_void(item, target)
        item[kind] = self.node(target, (*path, target))

    def probe(self, item: dict[str, Any], term: Mechanism, target: str) -> None:
        answers = [self.probes.get((target, t)) for t in PROBES[term.name]]
        if any(a is None or a.status in FAILED for a in answers):
            self.temperror = True
            self.problems.append(f"{term.text}: lookup of {target} failed")
            return
        if all(a is not None and a.status in VOID for a in answers):
            self.count_void(item, target)
        mx = answers[0]
        if term.name == "mx" and mx is not None and len(mx.records) > NAME_LIMIT:
            self.invalid = True
            self.problems.append(
                f"{term.text}: {target} has {len(mx.records)} MX records; receivers return "
                f"permerror above {NAME_LIMIT}"
            )

    def count_void(self, item: dict[str, Any], target: str) -> None:
        self.voids += 1
        item["void"] = True
        if target not in self.void_names:
            self.void_names.append(target)


def effective_all(fetched: dict[str, Fetched], domain: str) -> str | None:
    """The qualifier of the ``all`` that ends evaluation, following redirects."""
    seen: set[str] = set()
    while domain not in seen:
        seen.add(domain)
        found = fetched.get(domain)
        if found is None or found.record is None:
            return None
        if found.record.all_mechanism is not None:
            return found.record.all_mechanism.qualifier
        redirect = found.record.redirect
        target = target_name(redirect, domain) if redirect is not None else None
        if target is None:
            return None
        domain = target
    return None
