"""DMARC records (RFC 7489): grammar, discovery with the org-domain fallback against Knot,
external report authorization (7.1) and identifier alignment (3.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from launchready.errors import ConnectivityError
from launchready.mail.dmarc import (
    DmarcError,
    aligned,
    discover,
    external_destinations,
    organizational_domain,
    parse_dmarc,
)
from launchready.manifest import Network
from launchready.net import Resolver
from tests.dnslab.knot import KnotServer, require_knot


def test_a_full_record_parses() -> None:
    record = parse_dmarc(
        "v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=50; adkim=s; aspf=r; "
        "rua=mailto:a@shop.test,mailto:b@reports.example!10m; ruf=https://r.example/ruf; "
        "fo=1:d; rf=afrf; ri=3600; psd=n; t=y;"
    )
    assert (record.policy, record.subdomain_policy, record.pct) == ("reject", "quarantine", 50)
    assert (record.adkim, record.aspf) == ("s", "r")
    assert [u.domain for u in record.rua] == ["shop.test", "reports.example"]
    assert [u.domain for u in record.ruf] == ["r.example"]


def test_defaults() -> None:
    record = parse_dmarc("v=DMARC1;p=none")
    assert (record.pct, record.adkim, record.aspf, record.rua) == (100, "r", "r", ())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("p=none; v=DMARC1", "must start with v=DMARC1"),
        ("v=DMARC1; rua=mailto:a@shop.test", "no p= tag"),
        ("v=DMARC1; p=block", "p=block is not none"),
        ("v=DMARC1; p=none; sp=maybe", "sp=maybe"),
        ("v=DMARC1; p=none; np=yes", "np=yes"),
        ("v=DMARC1; p=none; pct=150", "pct=150"),
        ("v=DMARC1; p=none; pct=ten", "pct=ten"),
        ("v=DMARC1; p=none; adkim=relaxed", "adkim=relaxed"),
        ("v=DMARC1; p=none; aspf=x", "aspf=x"),
        ("v=DMARC1; p=none; fo=2", "fo=2"),
        ("v=DMARC1; p=none; ri=soon", "ri=soon"),
        ("v=DMARC1; p=none; rf=a f", "rf=a f"),
        ("v=DMARC1; p=none; p=reject", "p appears more than once"),
        ("v=DMARC1; p=none; policy=reject", "unknown tag policy="),
        ("v=DMARC1; p=none; rua=dmarc@shop.test", "is not a URI"),
        ("v=DMARC1; p=none; rua=mailto:", "is not a URI"),
        ("v=DMARC1; p=none; ruf=mailto:@", "no address after mailto:"),
        ("v=DMARC1; p=none; psd=maybe", "psd=maybe"),
        ("v=DMARC1; p=none; broken", "syntax error"),
    ],
)
def test_invalid_records(text: str, problem: str) -> None:
    with pytest.raises(DmarcError, match=problem):
        parse_dmarc(text)


def test_every_problem_is_listed() -> None:
    with pytest.raises(DmarcError) as caught:
        parse_dmarc("v=DMARC1; p=never; pct=900; color=blue")
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(
    ("domain", "known", "org"),
    [
        ("shop.test", (), "shop.test"),
        ("mail.shop.test", (), "shop.test"),
        ("a.b.shop.co.uk", (), "shop.co.uk"),
        ("bounce.shop.com.au", (), "shop.com.au"),
        ("test", (), "test"),
        ("Mail.Shop.Test.", (), "shop.test"),
        ("mail.shop.pvt.k12.ma.us", ("shop.pvt.k12.ma.us",), "shop.pvt.k12.ma.us"),
    ],
)
def test_organizational_domain(domain: str, known: tuple[str, ...], org: str) -> None:
    assert organizational_domain(domain, known) == org


@pytest.mark.parametrize(
    ("identifier", "from_domain", "mode", "expected"),
    [
        ("shop.test", "shop.test", "s", True),
        ("mail.shop.test", "shop.test", "s", False),
        ("mail.shop.test", "shop.test", "r", True),
        ("shop.test", "news.shop.test", "r", True),
        ("sendgrid.net", "shop.test", "r", False),
        ("SHOP.test.", "shop.test", "s", True),
        ("shop.co.uk", "other.co.uk", "r", False),
    ],
)
def test_alignment(identifier: str, from_domain: str, mode: str, expected: bool) -> None:
    assert aligned(identifier, from_domain, "s" if mode == "s" else "r") is expected


ZONES = {
    "shop.test": """
        _dmarc TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@shop.test,mailto:d@ext.test"
        _dmarc.own TXT "v=DMARC1; p=none"
        _dmarc.two TXT "v=DMARC1; p=none"
        _dmarc.two TXT "v=DMARC1; p=reject"
        _dmarc.two TXT "google-site-verification=abc"
        _dmarc.bad TXT "v=DMARC1; p=bogus"
        _dmarc.other TXT "some unrelated text"
    """,
    "ext.test": """
        shop.test._report._dmarc TXT "v=DMARC1"
    """,
}


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    with KnotServer(tmp_path_factory.mktemp("knot"), ZONES) as server:
        yield server


def resolver(knot: KnotServer) -> Resolver:
    return Resolver(Network(nameservers=[knot.nameserver]), timeout=2.0)


async def test_a_subdomain_inherits_the_org_record_with_sp(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "news.shop.test")
    assert lookup.found_at == "shop.test"
    assert lookup.asked == ("news.shop.test", "shop.test")
    assert lookup.effective_policy == "quarantine"


async def test_a_subdomain_with_its_own_record_uses_p(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "own.shop.test")
    assert (lookup.found_at, lookup.effective_policy) == ("own.shop.test", "none")


async def test_the_org_domain_itself_uses_p(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "shop.test")
    assert lookup.effective_policy == "reject"


async def test_unrelated_txt_records_are_discarded(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "other.shop.test")
    assert lookup.found_at == "shop.test"


async def test_two_dmarc_records_are_invalid(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "two.shop.test")
    assert lookup.record is None
    assert lookup.problems == ("2 DMARC records: receivers then apply none",)


async def test_a_bad_record_does_not_fall_back(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "bad.shop.test")
    assert (lookup.found_at, lookup.record) == ("bad.shop.test", None)


async def test_no_record_anywhere(knot: KnotServer) -> None:
    lookup = await discover(resolver(knot), "ext.test")
    assert (lookup.found_at, lookup.asked) == (None, ("ext.test",))


async def test_a_dns_failure_raises() -> None:
    silent = Resolver(Network(nameservers=["127.0.0.1:9"]), timeout=0.5)
    with pytest.raises(ConnectivityError):
        await discover(silent, "shop.test")


async def test_external_destinations_are_checked_once_each(knot: KnotServer) -> None:
    res = resolver(knot)
    lookup = await discover(res, "shop.test")
    destinations = await external_destinations(res, lookup)
    assert [(d.domain, d.checked, d.authorized) for d in destinations] == [
        ("ext.test", "shop.test._report._dmarc.ext.test", True)
    ]
