"""Macro syntax and expansion, table-driven from RFC 7208 section 7.4's own examples."""

from __future__ import annotations

import ipaddress

import pytest

from launchready.mail.spf_macros import (
    MacroError,
    MacroValues,
    expand,
    expand_domain,
    has_macros,
    literal_text,
    tokenize,
)


async def _mx_example_org(domain: str) -> str:
    return "mx.example.org"


def values(ip: str = "192.0.2.3", sender: str = "strong-bad@email.example.com") -> MacroValues:
    local, _, domain = sender.rpartition("@")
    return MacroValues(
        sender=sender,
        local=local,
        sender_domain=domain,
        domain=domain,
        ip=ipaddress.ip_address(ip),
        helo="mx.example.org",
        validated=_mx_example_org,
        receiver="receiver.example.net",
        clock=lambda: 1_700_000_000.9,
    )


RFC_7_4 = [
    ("%{s}", "strong-bad@email.example.com"),
    ("%{o}", "email.example.com"),
    ("%{d}", "email.example.com"),
    ("%{d4}", "email.example.com"),
    ("%{d3}", "email.example.com"),
    ("%{d2}", "example.com"),
    ("%{d1}", "com"),
    ("%{dr}", "com.example.email"),
    ("%{d2r}", "example.email"),
    ("%{l}", "strong-bad"),
    ("%{l-}", "strong.bad"),
    ("%{lr}", "strong-bad"),
    ("%{lr-}", "bad.strong"),
    ("%{l1r-}", "strong"),
    ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
    ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
    ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
    ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
    ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
    ("%{p}", "mx.example.org"),
    ("%{p2}", "example.org"),
    ("%{h}", "mx.example.org"),
    ("%{i}", "192.0.2.3"),
    ("%%%_%-", "% %20"),
    ("%{L}", "strong-bad"),
    ("%{S}", "strong-bad%40email.example.com"),
]


@pytest.mark.parametrize(("text", "expected"), RFC_7_4, ids=[t for t, _ in RFC_7_4])
async def test_rfc_7208_examples(text: str, expected: str) -> None:
    assert await expand(tokenize(text), values()) == expected


async def test_ipv6_nibbles_follow_the_rfc_example() -> None:
    text = "%{ir}.%{v}._spf.%{d2}"
    expected = (
        "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
    )
    assert await expand(tokenize(text), values("2001:db8::cb01")) == expected


EXPLAIN = [
    ("%{c} is queried as %{ir}.%{v}.arpa", "192.0.2.3 is queried as 3.2.0.192.in-addr.arpa"),
    ("checked by %{r} at %{t}", "checked by receiver.example.net at 1700000000"),
    ("http://example.com/why.html?l=%{L}", "http://example.com/why.html?l=strong-bad"),
]


@pytest.mark.parametrize(("text", "expected"), EXPLAIN, ids=[t for t, _ in EXPLAIN])
async def test_explanation_letters(text: str, expected: str) -> None:
    assert await expand(tokenize(text, explain=True), values()) == expected


async def test_uppercase_letters_are_url_escaped() -> None:
    sender = "~jack&jill=up-a_b3.c@example.com"
    got = await expand(tokenize("%{L}"), values(sender=sender))
    assert got == "~jack%26jill%3Dup-a_b3.c"


async def test_domain_expansion_drops_the_trailing_dot_and_truncates_from_the_left() -> None:
    assert await expand_domain(tokenize("%{d}.d.spf.example.com."), values()) == (
        "email.example.com.d.spf.example.com"
    )
    long_sender = ("a" * 60 + ".") * 5 + "example.com"
    got = await expand_domain(tokenize("foo.%{o}.example.net"), values(sender=f"x@{long_sender}"))
    assert len(got) <= 253
    assert got.endswith(".example.com.example.net") and not got.startswith("foo.")


INVALID = [
    ("%", "must be followed by"),
    ("foo%.bar", "must be followed by"),
    ("%(ir).sbl", "must be followed by"),
    ("%{", "unterminated"),
    ("%{l2r+-", "unterminated"),
    ("%{}", "malformed"),
    ("%{ab}", "malformed"),
    ("%{d0}", "nonzero"),
    ("%{x}", "not allowed"),
    ("%{a}", "not allowed"),
    ("%{c}", "not allowed in a domain-spec"),
    ("%{r}", "not allowed in a domain-spec"),
    ("%{t}", "not allowed in a domain-spec"),
    ("a b", "not allowed"),
    ("caf\u00e9", "not allowed"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID, ids=[t for t, _ in INVALID])
def test_invalid_macro_strings(text: str, reason: str) -> None:
    with pytest.raises(MacroError, match=reason):
        tokenize(text)


def test_explanation_text_allows_spaces_and_crt_only_there() -> None:
    assert tokenize("The %{c} host.", explain=True)[0] == "The "
    with pytest.raises(MacroError):
        tokenize("The %{x}-files.", explain=True)


def test_literal_helpers() -> None:
    tokens = tokenize("macro%%percent%_space.example.com")
    assert not has_macros(tokens)
    assert literal_text(tokens) == "macro%percent space.example.com"
    assert has_macros(tokenize("%{d}.example.com"))
