"""DMARC (RFC 7489): the policy record, its discovery, report authorization and alignment.

Discovery follows RFC 7489 6.6.3: the record at ``_dmarc.<domain>``, else at the
organizational domain's ``_dmarc``. The organizational domain is found without the Public
Suffix List (launchready ships no copy and fetches nothing): a domain the manifest names
(``site.domain``, which manifest.md defines as the registrable domain) wins, then a short
table of two-label public suffixes (``co.uk``, ``com.au`` ...), else the last two labels.
The limit: under a public suffix missing from that table (``example.pvt.k12.ma.us``) the
organizational domain comes out too short; pass ``known`` to correct it.

Tags are read case-insensitively and values of enumerated tags too, as deployed receivers
do; anything RFC 7489 does not define is invalid, except ``np`` (RFC 9091) and the
DMARCbis tags ``psd`` and ``t``, which receivers already accept.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from launchready.errors import ConnectivityError
from launchready.mail.dkim import TagListError, duplicates, parse_tag_list
from launchready.net import DnsAnswer, Resolver

Policy = Literal["none", "quarantine", "reject"]
Mode = Literal["r", "s"]
_POLICIES = ("none", "quarantine", "reject")
_VERSION = re.compile(r"\s*v\s*=\s*DMARC1\s*(;|\Z)", re.IGNORECASE)
_URI = re.compile(r"(?P<uri>[A-Za-z][A-Za-z0-9+.-]*:[^!\s]+)(?:!(?P<size>\d+[kmgt]?))?\Z", re.I)
_KEYWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*\Z")
_TEMPORARY = ("servfail", "timeout", "error")
_TWO_LABEL_SUFFIXES = frozenset(
    f"{second}.{tld}"
    for tld, seconds in {
        "uk": "co org me ltd plc net ac gov nhs sch",
        "au": "com net org edu gov asn id",
        "nz": "co org net ac govt geek school",
        "jp": "co ne or ac go ed",
        "kr": "co ne or re ac go",
        "za": "co org net gov edu",
        "br": "com net org gov edu art",
        "in": "co net org firm gen ind",
        "mx": "com org net gob edu",
        "cn": "com net org gov edu",
        "hk": "com net org gov edu",
        "sg": "com net org gov edu",
        "tw": "com net org gov edu",
        "tr": "com net org gen biz",
        "ar": "com net org gob",
        "il": "co org net ac gov",
        "id": "co or ac go web",
        "my": "com net org gov edu",
        "ph": "com net org gov edu",
        "th": "co or ac go in",
        "ua": "com net org gov in",
    }.items()
    for second in seconds.split()
)
KNOWN_TAGS = frozenset(
    {"v", "p", "sp", "np", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf", "ri", "psd", "t"}
)


def normalize(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def organizational_domain(domain: str, known: Sequence[str] = ()) -> str:
    """The registrable domain of ``domain`` (see the module docstring for the heuristic)."""
    name = normalize(domain)
    for base in sorted((normalize(k) for k in known if k), key=len, reverse=True):
        if name == base or name.endswith("." + base):
            return base
    labels = name.split(".")
    size = 3 if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-size:]) if len(labels) >= size else name


def aligned(identifier: str, from_domain: str, mode: Mode, known: Sequence[str] = ()) -> bool:
    """RFC 7489 3.1: strict mode needs the same name, relaxed the same organizational domain."""
    a, b = normalize(identifier), normalize(from_domain)
    if mode == "s":
        return a == b
    return organizational_domain(a, known) == organizational_domain(b, known)


class DmarcError(ValueError):
    """A record receivers ignore; ``problems`` lists every reason, in plain words."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class ReportUri:
    """One ``rua``/``ruf`` destination; ``domain`` is where the reports land."""

    uri: str
    domain: str | None


@dataclass(frozen=True)
class DmarcRecord:
    text: str
    policy: Policy
    subdomain_policy: Policy | None = None
    pct: int = 100
    rua: tuple[ReportUri, ...] = ()
    ruf: tuple[ReportUri, ...] = ()
    adkim: Mode = "r"
    aspf: Mode = "r"


def is_dmarc(text: str) -> bool:
    """A TXT record that announces itself as DMARC (others are discarded, RFC 7489 6.6.3)."""
    return _VERSION.match(text) is not None


def parse_dmarc(text: str) -> DmarcRecord:
    """Validate one ``v=DMARC1`` record; :class:`DmarcError` lists what is wrong."""
    try:
        pairs = [(name.lower(), value) for name, value in parse_tag_list(text)]
    except TagListError as exc:
        raise DmarcError([f"syntax error: {exc}"]) from None
    problems: list[str] = []
    if not pairs or pairs[0][0] != "v" or pairs[0][1].upper() != "DMARC1":
        problems.append("the record must start with v=DMARC1")
    problems += [f"tag {name} appears more than once" for name in duplicates(pairs)]
    tags = dict(pairs)
    problems += [f"unknown tag {name}=" for name in tags if name not in KNOWN_TAGS]
    if "p" not in tags:
        problems.append("no p= tag: the policy is required")
    for name in ("p", "sp", "np"):
        if name in tags and tags[name].lower() not in _POLICIES:
            problems.append(f"{name}={tags[name]} is not none, quarantine or reject")
    for name in ("adkim", "aspf"):
        if name in tags and tags[name].lower() not in ("r", "s"):
            problems.append(f"{name}={tags[name]} is not r (relaxed) or s (strict)")
    pct = tags.get("pct", "100")
    if not pct.isdigit() or int(pct) > 100:
        problems.append(f"pct={pct} is not a whole number from 0 to 100")
    if "ri" in tags and not (tags["ri"].isdigit() and int(tags["ri"]) < 2**32):
        problems.append(f"ri={tags['ri']} is not a number of seconds")
    if "fo" in tags and not set(_items(tags["fo"], ":")) <= {"0", "1", "d", "s"}:
        problems.append(f"fo={tags['fo']} may only combine 0, 1, d and s")
    if "rf" in tags and not all(_KEYWORD.match(f) for f in _items(tags["rf"], ":")):
        problems.append(f"rf={tags['rf']} is not a list of report formats")
    for name, allowed in (("psd", ("y", "n", "u")), ("t", ("y", "n"))):
        if name in tags and tags[name].lower() not in allowed:
            problems.append(f"{name}={tags[name]} is not one of {', '.join(allowed)}")
    uris = {name: _uris(name, tags.get(name, ""), problems) for name in ("rua", "ruf")}
    if problems:
        raise DmarcError(problems)
    return DmarcRecord(
        text=text,
        policy=_policy(tags["p"]),
        subdomain_policy=_policy(tags["sp"]) if "sp" in tags else None,
        pct=int(pct),
        rua=uris["rua"],
        ruf=uris["ruf"],
        adkim="s" if tags.get("adkim", "r").lower() == "s" else "r",
        aspf="s" if tags.get("aspf", "r").lower() == "s" else "r",
    )


def _items(value: str, sep: str) -> list[str]:
    return [part.strip().lower() for part in value.split(sep)]


def _policy(value: str) -> Policy:
    word = value.lower()
    return "reject" if word == "reject" else "quarantine" if word == "quarantine" else "none"


def _uris(tag: str, value: str, problems: list[str]) -> tuple[ReportUri, ...]:
    found: list[ReportUri] = []
    for item in (part.strip() for part in value.split(",") if value.strip()):
        match = _URI.match(item)
        if match is None:
            problems.append(f"{tag}: {item!r} is not a URI such as mailto:reports@example.com")
            continue
        uri = match["uri"]
        if uri.lower().startswith("mailto:"):
            address = uri[7:].split("?", 1)[0]
            if "@" not in address or not address.rpartition("@")[2]:
                problems.append(f"{tag}: {item!r} has no address after mailto:")
                continue
            domain: str | None = normalize(address.rpartition("@")[2])
        else:
            domain = normalize(urlsplit(uri).hostname or "") or None
        found.append(ReportUri(uri, domain))
    return tuple(found)


@dataclass(frozen=True)
class DmarcLookup:
    """What DMARC discovery found for ``domain``: a record, an invalid one, or nothing."""

    domain: str
    org_domain: str
    found_at: str | None = None
    """The domain whose ``_dmarc`` held the DMARC record(s): ``domain`` or its org domain."""
    records: tuple[str, ...] = ()
    record: DmarcRecord | None = None
    problems: tuple[str, ...] = ()
    asked: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"_dmarc.{self.found_at or self.domain}"

    @property
    def effective_policy(self) -> Policy | None:
        """The policy a receiver applies to mail from ``domain`` (``sp`` when inherited)."""
        if self.record is None:
            return None
        if self.found_at != self.domain and self.record.subdomain_policy is not None:
            return self.record.subdomain_policy
        return self.record.policy


async def discover(resolver: Resolver, domain: str, known: Sequence[str] = ()) -> DmarcLookup:
    """RFC 7489 6.6.3 policy discovery; :class:`ConnectivityError` when DNS cannot say."""
    name = normalize(domain)
    org = organizational_domain(name, known)
    asked = [name] if name == org else [name, org]
    # Both names at once: the fallback costs no extra round trip (answers are memoised).
    answers = await asyncio.gather(*(resolver.query(f"_dmarc.{w}", "TXT") for w in asked))
    for where, answer in zip(asked, answers, strict=True):
        candidates = tuple(r for r in _records(answer) if is_dmarc(r))
        if not candidates:
            continue
        if len(candidates) > 1:
            problems = (f"{len(candidates)} DMARC records: receivers then apply none",)
            return DmarcLookup(name, org, where, candidates, None, problems, tuple(asked))
        try:
            record = parse_dmarc(candidates[0])
        except DmarcError as exc:
            return DmarcLookup(name, org, where, candidates, None, exc.problems, tuple(asked))
        return DmarcLookup(name, org, where, candidates, record, (), tuple(asked))
    return DmarcLookup(name, org, asked=tuple(asked))


def _records(answer: DnsAnswer) -> tuple[str, ...]:
    if answer.status in _TEMPORARY:
        raise ConnectivityError(f"DNS lookup of {answer.name} TXT failed: {answer.status}")
    return answer.records


@dataclass(frozen=True)
class Destination:
    """One outside report destination and whether it agreed to receive the reports."""

    uri: str
    domain: str
    checked: str
    authorized: bool


async def external_destinations(
    resolver: Resolver, lookup: DmarcLookup, known: Sequence[str] = ()
) -> list[Destination]:
    """RFC 7489 7.1: every rua/ruf destination outside the record's organizational domain,
    with whether ``<domain>._report._dmarc.<destination>`` authorizes it."""
    record, owner = lookup.record, lookup.found_at
    if record is None or owner is None:
        return []
    own_org = organizational_domain(owner, known)
    outside = [
        u
        for u in (*record.rua, *record.ruf)
        if u.domain and organizational_domain(u.domain, known) != own_org
    ]
    names = sorted({f"{owner}._report._dmarc.{u.domain}" for u in outside})
    answers = await asyncio.gather(*(resolver.query(n, "TXT") for n in names))
    authorized = {
        n: any(is_dmarc(r) for r in _records(a)) for n, a in zip(names, answers, strict=True)
    }
    result = []
    for uri in outside:
        assert uri.domain is not None
        checked = f"{owner}._report._dmarc.{uri.domain}"
        result.append(Destination(uri.uri, uri.domain, checked, authorized[checked]))
    return result
