"""The SPF record parser: what it accepts, what it rejects, and which term it blames."""

from __future__ import annotations

import ipaddress

import pytest

from launchready.mail.spf import Mechanism, Modifier, SpfSyntaxError, is_spf_record, parse_record
from launchready.mail.spf_macros import Macro

VALID = [
    ("v=spf1", []),
    ("V=SpF1 -all", [("-", "all")]),
    ("v=spf1 a  mx   -all   ", [("+", "a"), ("+", "mx"), ("-", "all")]),
    ("v=spf1 ~include:_spf.google.com ?all", [("~", "include"), ("?", "all")]),
    ("v=spf1 ptr ptr:example.com exists:%{i}.bl.example.com",
     [("+", "ptr"), ("+", "ptr"), ("+", "exists")]),
    ("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 IP4:1.2.3.4",
     [("+", "ip4"), ("+", "ip6"), ("+", "ip4")]),
    ("v=spf1 a:foo:bar/baz.example.com", [("+", "a")]),
    ("v=spf1 a:foo.example.xn--zckzah -all", [("+", "a"), ("-", "all")]),
    ("v=spf1 redirect=_spf.example.com", []),
    ("v=spf1 -all exp=explain.%{d}", [("-", "all")]),
    ("v=spf1 moo.cow-far_out=man:dog/cat default=+ all", [("+", "all")]),
    ("v=spf1 a:%{H}.bar mx:%{d}.example.com. -all", [("+", "a"), ("+", "mx"), ("-", "all")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "mechanisms"), VALID, ids=[v[0] for v in VALID])
def test_valid_records(text: str, mechanisms: list[tuple[str, str]]) -> None:
    record = parse_record(text)
    assert [(m.qualifier, m.name) for m in record.mechanisms] == mechanisms
    assert record.text == text


INVALID = [
    ("v=spf1 ip4:1.2.3.4 -all moo", "moo", "unknown mechanism"),
    ("v=spf1 -all.", "-all.", "takes no argument"),
    ("v=spf1 -all:foobar", "-all:foobar", "takes no argument"),
    ("v=spf1 -all/8", "-all/8", "takes no argument"),
    ("v=spf1 include", "include", "needs a domain"),
    ("v=spf1 include:", "include:", "empty domain"),
    ("v=spf1 include:ip5.example.com/24", "include:ip5.example.com/24", "must end in"),
    ("v=spf1 exists", "exists", "needs a domain"),
    ("v=spf1 exists:mail.example.com/24", "exists:mail.example.com/24", "must end in"),
    ("v=spf1 ptr/0", "ptr/0", "no prefix length"),
    ("v=spf1 ptr:", "ptr:", "empty domain"),
    ("v=spf1 a:", "a:", "empty domain"),
    ("v=spf1 a/33", "a/33", "out of range"),
    ("v=spf1 a//129", "a//129", "out of range"),
    ("v=spf1 a/24/64", "a/24/64", "expected a"),
    ("v=spf1 a:foo-bar", "a:foo-bar", "must end in"),
    ("v=spf1 a:museum", "a:museum", "must end in"),
    ("v=spf1 a:museum.", "a:museum.", "must end in"),
    ("v=spf1 a:111.222.33.44", "a:111.222.33.44", "must end in"),
    ("v=spf1 a:example.-com", "a:example.-com", "must end in"),
    ("v=spf1 mx:%{d}.", "mx:%{d}.", "must end in"),
    ("v=spf1 a:example.com:8080", "a:example.com:8080", "must end in"),
    ("v=spf1 ip4", "ip4", "needs an address"),
    ("v=spf1 ip4:1.2.3", "ip4:1.2.3", "not a valid ip4"),
    ("v=spf1 ip4:1.2.3.4:8080", "ip4:1.2.3.4:8080", "not a valid ip4"),
    ("v=spf1 ip4:01.2.3.4", "ip4:01.2.3.4", "not a valid ip4"),
    ("v=spf1 ip4:1.2.3.4/33", "ip4:1.2.3.4/33", "longer than 32"),
    ("v=spf1 ip4:1.2.3.4/032", "ip4:1.2.3.4/032", "not a valid ip4"),
    ("v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32", "not a valid ip4"),
    ("v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE", "not a valid ip6"),
    ("v=spf1 ip6:::1.1.1.1/129", "ip6:::1.1.1.1/129", "longer than 128"),
    ("v=spf1 ip6:::1.1.1.1//33", "ip6:::1.1.1.1//33", "not a valid ip6"),
    ("v=spf1 redirect:example.com", "redirect:example.com", "unknown mechanism"),
    ("v=spf1 redirect=", "redirect=", "empty domain"),
    ("v=spf1 redirect=-all", "redirect=-all", "must end in"),
    ("v=spf1 exp=", "exp=", "empty domain"),
    ("v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com", "only once"),
    ("v=spf1 1up=foo", "1up=foo", "neither a mechanism"),
    ("v=spf1 =all", "=all", "neither a mechanism"),
    ("v=spf1 moo.cow/far_out=man:dog/cat", "moo.cow/far_out=man:dog/cat", "unknown mechanism"),
    ("v=spf1 foo=%abc", "foo=%abc", "must be followed by"),
    ("v=spf1 exists:%(ir).sbl.example.com", "exists:%(ir).sbl.example.com", "must be followed"),
    ("v=spf1 a:%{a}.example.com", "a:%{a}.example.com", "not allowed in a domain-spec"),
    ("v=spf1 -all exp=%{r}.example.com", "exp=%{r}.example.com", "not allowed in a domain-spec"),
    ("v=spf1 a:ctrl.example.com\rptr -all", "a:ctrl.example.com\rptr", "7-bit ASCII"),
    ("v=spf1 a:foo.example.com\0", "a:foo.example.com\0", "7-bit ASCII"),
    ("v=spf1 a:\u00efgarbage.example.net -all", "a:\u00efgarbage.example.net", "7-bit ASCII"),
    ("v=spf1\tall", "v=spf1\tall", "starts with 'v=spf1'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "term", "reason"), INVALID, ids=[i[0] for i in INVALID])
def test_invalid_records_name_the_term(text: str, term: str, reason: str) -> None:
    with pytest.raises(SpfSyntaxError) as caught:
        parse_record(text)
    assert caught.value.term.startswith(term[:20])
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=spf1", True),
        ("v=spf1 -all", True),
        ("V=SPF1 -all", True),
        ("v=spf10", False),
        ("v=spf1mx", False),
        ("spf1 -all", False),
        ("", False),
    ],
)
def test_record_selection(text: str, expected: bool) -> None:
    assert is_spf_record(text) is expected


def test_mechanism_arguments() -> None:
    record = parse_record(
        "v=spf1 a:mail.example.com/24//64 mx//48 ip4:192.0.2.7/16 ip6:2001:DB8::1"
    )
    a, mx, ip4, ip6 = record.mechanisms
    assert (a.target, a.cidr4, a.cidr6) == (("mail.example.com",), 24, 64)
    assert (mx.target, mx.cidr4, mx.cidr6) == (None, 32, 48)
    assert ip4.network == ipaddress.ip_network("192.0.0.0/16")
    assert ip6.network == ipaddress.ip_network("2001:db8::1/128")
    assert all(isinstance(m, Mechanism) for m in record.mechanisms)


def test_modifiers_and_effective_redirect() -> None:
    record = parse_record("v=spf1 redirect=_spf.%{d2} exp=why.example.com")
    redirect = record.redirect
    assert isinstance(redirect, Modifier) and redirect.name == "redirect"
    assert redirect.value == ("_spf.", Macro("d", 2, False, ""))
    assert record.exp is not None
    # RFC 7208 6.1: with an "all" anywhere, redirect is ignored
    assert parse_record("v=spf1 redirect=a.example.com ~all").redirect is None


def test_macro_flags() -> None:
    include, exists = parse_record(
        "v=spf1 include:_spf.example.com exists:%{l}.x.example.com"
    ).mechanisms
    assert include.queries_dns and not include.has_macros
    assert exists.queries_dns and exists.has_macros
    assert not parse_record("v=spf1 ip4:1.2.3.4").mechanisms[0].queries_dns
