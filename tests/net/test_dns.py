"""The resolver against a real authoritative server (Knot DNS) on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchready.manifest import Network
from launchready.net import Resolver
from tests.dnslab.knot import KnotServer, require_knot

ZONE = """
@ NS ns1
ns1 A 127.0.0.53
@ A 127.0.0.10
www CNAME @
promo CNAME retired-promo
@ TXT "v=spf1 " "include:_spf.example.test -all"
long TXT "%s" "%s"
"""


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    zone = ZONE % ("a" * 255, "b" * 45)
    with KnotServer(tmp_path_factory.mktemp("knot"), {"shop.test": zone}) as server:
        yield server


def _resolver(knot: KnotServer, timeout: float = 2.0) -> Resolver:
    return Resolver(Network(nameservers=[knot.nameserver]), timeout=timeout)


async def test_answers_follow_cnames_and_join_txt_strings(knot: KnotServer) -> None:
    resolver = _resolver(knot)
    apex, www, txt, long = await asyncio.gather(
        resolver.query("shop.test", "A"),
        resolver.query("www.shop.test", "A"),
        resolver.query("shop.test", "TXT"),
        resolver.query("long.shop.test", "TXT"),
    )
    assert apex.records == ("127.0.0.10",)
    assert www.records == ("127.0.0.10",)
    assert www.canonical_name == "shop.test"
    assert txt.records == ("v=spf1 include:_spf.example.test -all",)
    assert long.records == ("a" * 255 + "b" * 45,)


async def test_nxdomain_behind_a_cname_names_the_missing_target(knot: KnotServer) -> None:
    resolver = _resolver(knot)
    answer = await resolver.query("promo.shop.test", "A")
    assert answer.status == "nxdomain"
    assert answer.canonical_name == "retired-promo.shop.test"
    cname = await resolver.query("promo.shop.test", "CNAME")
    assert cname.status == "ok"
    assert cname.records == ("retired-promo.shop.test.",)


async def test_nodata_and_nxdomain_are_told_apart(knot: KnotServer) -> None:
    resolver = _resolver(knot)
    assert (await resolver.query("shop.test", "CAA")).status == "nodata"
    assert (await resolver.query("nothing.shop.test", "A")).status == "nxdomain"


async def test_a_silent_server_is_a_timeout_value(knot: KnotServer) -> None:
    # 127.0.0.1:9 (discard) does not answer DNS: the lookup must end within the timeout.
    resolver = Resolver(Network(nameservers=["127.0.0.1:9"]), timeout=0.5)
    answer = await resolver.query("shop.test", "A")
    assert answer.status in ("timeout", "error", "servfail")
    assert not answer.ok


async def test_identical_queries_share_one_lookup(knot: KnotServer, tmp_path: Path) -> None:
    resolver = _resolver(knot)
    first, second = await asyncio.gather(
        resolver.query("shop.test", "A"), resolver.query("SHOP.test.", "a")
    )
    assert first is second
