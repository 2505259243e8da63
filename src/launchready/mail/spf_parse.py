"""SPF record syntax (RFC 7208 sections 4.5, 4.6, 5, 6 and 7.1), checked in full up front.

RFC 7208 4.6 lets an evaluator stop at the first matching term, but the test suite and
every major receiver treat a syntax error *anywhere* as permerror, so the whole record is
parsed before evaluation and the error names the offending term: that is what a founder
needs to fix it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal, cast

from launchready.mail.spf_macros import MacroError, Token, has_macros, tokenize

Qualifier = Literal["+", "-", "~", "?"]
DNS_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
"""Mechanisms that cost one of the 10 DNS-querying terms (RFC 7208 4.6.4)."""

_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)=(.*)", re.S)
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)", re.S)
_CIDR = r"(?:0|[1-9][0-9]*)"
_DUAL_CIDR = re.compile(rf"(?::(?P<spec>.*?))?(?:/(?P<c4>{_CIDR}))?(?://(?P<c6>{_CIDR}))?", re.S)
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IP4 = re.compile(rf"(?P<net>{_QNUM}(?:\.{_QNUM}){{3}})(?:/(?P<cidr>{_CIDR}))?")
_IP6 = re.compile(rf"(?P<net>[0-9A-Fa-f:.]+)(?:/(?P<cidr>{_CIDR}))?")
_TOPLABEL = r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])"
_DOMAIN_END = re.compile(rf"(?s).*\.{_TOPLABEL}\.?")


class SpfSyntaxError(ValueError):
    """A record that is not valid SPF; ``term`` is the part a founder has to correct."""

    def __init__(self, term: str, reason: str) -> None:
        self.term = term
        self.reason = reason
        super().__init__(f"{term!r}: {reason}" if term else reason)


@dataclass(frozen=True)
class Mechanism:
    """A directive: qualifier, mechanism name (lower case) and its arguments."""

    text: str
    qualifier: Qualifier
    name: str
    target: tuple[Token, ...] | None = None
    """The domain-spec of include/a/mx/ptr/exists, tokenised; None when omitted."""
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    cidr4: int = 32
    cidr6: int = 128

    @property
    def queries_dns(self) -> bool:
        return self.name in DNS_MECHANISMS

    @property
    def has_macros(self) -> bool:
        return self.target is not None and has_macros(self.target)


@dataclass(frozen=True)
class Modifier:
    """``name=value``: redirect and exp carry a domain-spec; unknown ones are ignored."""

    text: str
    name: str
    value: tuple[Token, ...]


@dataclass(frozen=True)
class SpfRecord:
    """One parsed ``v=spf1`` record."""

    text: str
    terms: tuple[Mechanism | Modifier, ...]

    @property
    def mechanisms(self) -> tuple[Mechanism, ...]:
        return tuple(t for t in self.terms if isinstance(t, Mechanism))

    def modifier(self, name: str) -> Modifier | None:
        return next((t for t in self.terms if isinstance(t, Modifier) and t.name == name), None)

    @property
    def redirect(self) -> Modifier | None:
        """The redirect in force: RFC 7208 6.1 ignores it when the record has ``all``."""
        return None if self.all_mechanism is not None else self.modifier("redirect")

    @property
    def exp(self) -> Modifier | None:
        return self.modifier("exp")

    @property
    def all_mechanism(self) -> Mechanism | None:
        return next((m for m in self.mechanisms if m.name == "all"), None)


def is_spf_record(text: str) -> bool:
    """RFC 7208 4.5: ``v=spf1`` (any case) followed by a space or the end of the record."""
    return text[:6].lower() == "v=spf1" and (len(text) == 6 or text[6] == " ")


def select_spf_records(records: tuple[str, ...] | list[str]) -> list[str]:
    """The SPF records among a name's TXT records; other TXT records are not our business."""
    return [text for text in records if is_spf_record(text)]


def parse_record(text: str) -> SpfRecord:
    """Parse a whole record, or raise :class:`SpfSyntaxError` naming the first bad term."""
    if not is_spf_record(text):
        raise SpfSyntaxError(text[:20], "an SPF record starts with 'v=spf1'")
    terms: list[Mechanism | Modifier] = []
    seen: set[str] = set()
    for raw in text[6:].split(" "):
        if not raw:
            continue  # one or more spaces separate terms; trailing spaces are allowed
        term = _term(raw)
        if isinstance(term, Modifier) and term.name in ("redirect", "exp"):
            if term.name in seen:
                raise SpfSyntaxError(raw, f"{term.name}= may appear only once (RFC 7208 6)")
            seen.add(term.name)
        terms.append(term)
    return SpfRecord(text, tuple(terms))


def _term(raw: str) -> Mechanism | Modifier:
    bad = next((c for c in raw if not "\x21" <= c <= "\x7e"), None)
    if bad is not None:
        raise SpfSyntaxError(raw, f"contains {bad!r}: SPF records are visible 7-bit ASCII")
    modifier = _MODIFIER.fullmatch(raw)
    if modifier is not None:
        return _modifier(raw, modifier.group(1).lower(), modifier.group(2))
    mechanism = _MECHANISM.fullmatch(raw)
    if mechanism is None:
        raise SpfSyntaxError(raw, "neither a mechanism nor a name=value modifier")
    qualifier, name, rest = mechanism.groups()
    return _mechanism(raw, cast(Qualifier, qualifier or "+"), name.lower(), rest)


def _modifier(raw: str, name: str, value: str) -> Modifier:
    if name in ("redirect", "exp"):
        return Modifier(raw, name, _domain_spec(raw, value))
    try:
        return Modifier(raw, name, tokenize(value))
    except MacroError as exc:
        raise SpfSyntaxError(raw, str(exc)) from None


def _mechanism(raw: str, qualifier: Qualifier, name: str, rest: str) -> Mechanism:
    if name == "all":
        if rest:
            raise SpfSyntaxError(raw, "'all' takes no argument")
        return Mechanism(raw, qualifier, name)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(raw, f"{name} needs a domain: {name}:example.com")
        return Mechanism(raw, qualifier, name, _domain_spec(raw, rest[1:]))
    if name == "ptr":
        if rest and not rest.startswith(":"):
            raise SpfSyntaxError(raw, "ptr takes an optional :domain and no prefix length")
        target = _domain_spec(raw, rest[1:]) if rest else None
        return Mechanism(raw, qualifier, name, target)
    if name in ("a", "mx"):
        return _a_or_mx(raw, qualifier, name, rest)
    if name in ("ip4", "ip6"):
        return Mechanism(raw, qualifier, name, network=_network(raw, name, rest))
    raise SpfSyntaxError(raw, f"unknown mechanism {name!r}")


def _a_or_mx(raw: str, qualifier: Qualifier, name: str, rest: str) -> Mechanism:
    match = _DUAL_CIDR.fullmatch(rest)
    if match is None:
        raise SpfSyntaxError(raw, f"expected {name}[:domain][/prefix4][//prefix6]")
    spec, c4, c6 = match.group("spec"), match.group("c4"), match.group("c6")
    if spec is not None and not spec:
        raise SpfSyntaxError(raw, f"empty domain after '{name}:'")
    cidr4 = int(c4) if c4 is not None else 32
    cidr6 = int(c6) if c6 is not None else 128
    if cidr4 > 32 or cidr6 > 128:
        raise SpfSyntaxError(raw, "prefix length out of range (at most /32 and //128)")
    target = _domain_spec(raw, spec) if spec is not None else None
    return Mechanism(raw, qualifier, name, target, cidr4=cidr4, cidr6=cidr6)


def _network(raw: str, name: str, rest: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not rest.startswith(":"):
        raise SpfSyntaxError(raw, f"{name} needs an address: {name}:<address>[/prefix]")
    match = (_IP4 if name == "ip4" else _IP6).fullmatch(rest[1:])
    if match is None:
        raise SpfSyntaxError(raw, f"not a valid {name} network")
    limit = 32 if name == "ip4" else 128
    prefix = int(match.group("cidr")) if match.group("cidr") is not None else limit
    if prefix > limit:
        raise SpfSyntaxError(raw, f"prefix length /{prefix} is longer than {limit}")
    try:
        return ipaddress.ip_network(f"{match.group('net')}/{prefix}", strict=False)
    except ValueError:
        raise SpfSyntaxError(raw, f"not a valid {name} network") from None


def _domain_spec(raw: str, spec: str) -> tuple[Token, ...]:
    """RFC 7208 7.1: ``macro-string domain-end``; the end is a macro or ``.toplabel[.]``."""
    if not spec:
        raise SpfSyntaxError(raw, "empty domain")
    try:
        tokens = tokenize(spec)
    except MacroError as exc:
        raise SpfSyntaxError(raw, str(exc)) from None
    last = tokens[-1]
    if isinstance(last, str) and not _DOMAIN_END.fullmatch(last):
        raise SpfSyntaxError(
            raw, "the domain must end in a macro or '.<top label>' (e.g. example.com)"
        )
    return tokens
