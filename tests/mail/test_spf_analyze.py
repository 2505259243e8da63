"""analyze_spf() and check_host() against a real DNS server on loopback (``suite_dns``).

The static analysis must count what a receiver would count, stay bounded on hostile trees
(long chains, exponential diamonds, loops) and fetch independent includes concurrently.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from launchready.mail.spf import SpfPolicy, analyze_spf, check_host
from launchready.mail.spf_analyze import MAX_COUNTED, MAX_DOMAINS
from launchready.manifest import Network
from launchready.net import Resolver
from tests.mail.suite_dns import SuiteDns

Zone = dict[str, list[Any]]


async def analyze(zone: Zone, domain: str = "shop.test", delay: float = 0.0) -> SpfPolicy:
    async with SuiteDns(zone, delay=delay) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=2.0)
        return await asyncio.wait_for(analyze_spf(resolver, domain), timeout=20)


def txt(record: str) -> list[Any]:
    return [{"TXT": record}]


async def test_counts_follow_rfc_7208_4_6_4() -> None:
    zone: Zone = {
        "shop.test": [
            {"TXT": "v=spf1 a mx ptr ip4:192.0.2.1 include:inc.test exists:x.shop.test ~all"},
            {"A": "192.0.2.10"},
            {"MX": [10, "mail.shop.test"]},
        ],
        "mail.shop.test": [{"A": "192.0.2.25"}],
        "x.shop.test": [{"A": "127.0.0.2"}],
        "inc.test": txt("v=spf1 a:gone.inc.test mx:nomx.inc.test redirect=last.test"),
        "nomx.inc.test": [{"A": "192.0.2.30"}],
        "last.test": txt("v=spf1 -all"),
    }
    policy = await analyze(zone)
    assert policy.status == "ok"
    # a, mx, ptr, include, exists at the top; a, mx, redirect below
    assert policy.lookups == 8
    assert policy.void_lookups == 2
    assert policy.void_names == ("gone.inc.test", "nomx.inc.test")
    assert policy.includes == ("inc.test", "last.test")
    assert policy.all_qualifier == "~"
    assert any("ptr is slow" in p for p in policy.problems)


async def test_terms_with_macros_are_counted_not_expanded() -> None:
    record = "v=spf1 exists:%{i}.bl.shop.test include:%{d2}._spf.shop.test -all"
    policy = await analyze({"shop.test": txt(record)})
    assert (policy.lookups, policy.void_lookups, policy.includes) == (2, 0, ())
    assert [t.get("macro") for t in policy.tree["terms"]] == [True, True, None]


async def test_terms_after_all_and_a_shadowed_redirect_are_reported() -> None:
    policy = await analyze({"shop.test": txt("v=spf1 -all include:late.test redirect=r.test")})
    assert policy.lookups == 0 and policy.includes == ()
    assert any("comes after 'all'" in p for p in policy.problems)
    assert any("ignored because of 'all'" in p for p in policy.problems)


async def test_the_effective_all_follows_redirects() -> None:
    zone: Zone = {
        "shop.test": txt("v=spf1 redirect=one.test"),
        "one.test": txt("v=spf1 ip4:192.0.2.1 redirect=two.test"),
        "two.test": txt("v=spf1 ?all"),
    }
    policy = await analyze(zone)
    assert (policy.all_qualifier, policy.lookups, policy.includes) == (
        "?",
        2,
        ("one.test", "two.test"),
    )


async def test_more_than_ten_mx_records_is_invalid() -> None:
    zone: Zone = {
        "shop.test": [
            {"TXT": "v=spf1 mx -all"},
            *({"MX": [i, f"m{i}.shop.test"]} for i in range(11)),
        ],
    }
    policy = await analyze(zone)
    assert policy.status == "invalid"
    assert any("11 MX records" in p for p in policy.problems)


@pytest.mark.parametrize(
    ("zone", "status"),
    [
        ({}, "none"),
        ({"shop.test": [{"A": "192.0.2.1"}]}, "none"),
        ({"shop.test": [{"TXT": "v=spf1 -all"}, {"TXT": "v=spf1 ~all"}]}, "multiple"),
        ({"shop.test": txt("v=spf1 a:museum -all")}, "invalid"),
        ({"shop.test": ["TIMEOUT"]}, "temperror"),
        (
            {"shop.test": txt("v=spf1 include:slow.test -all"), "slow.test": ["TIMEOUT"]},
            "temperror",
        ),
        ({"shop.test": txt("v=spf1 a:slow.test -all"), "slow.test": ["TIMEOUT"]}, "temperror"),
    ],
    ids=["nxdomain", "no-txt", "multiple", "syntax", "timeout", "include-timeout", "a-timeout"],
)
async def test_statuses(zone: Zone, status: str) -> None:
    async with SuiteDns(zone) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=0.5)
        policy = await analyze_spf(resolver, "shop.test")
    assert policy.status == status


async def test_a_long_chain_stops_at_the_domain_limit() -> None:
    zone: Zone = {"shop.test": txt("v=spf1 include:r0.chain.test -all")}
    for i in range(MAX_DOMAINS + 20):
        zone[f"r{i}.chain.test"] = txt(f"v=spf1 include:r{i + 1}.chain.test -all")
    started = time.perf_counter()
    policy = await analyze(zone)
    assert policy.truncated and policy.lookups > 10
    assert len(policy.includes) >= MAX_DOMAINS - 1
    assert time.perf_counter() - started < 15


async def test_an_exponential_diamond_stops_counting() -> None:
    zone: Zone = {"shop.test": txt("v=spf1 include:d0.test -all")}
    for i in range(30):
        zone[f"d{i}.test"] = txt(f"v=spf1 include:d{i + 1}.test include:d{i + 1}.test -all")
    zone["d30.test"] = txt("v=spf1 ip4:192.0.2.1 -all")
    policy = await analyze(zone)
    assert policy.truncated and MAX_COUNTED < policy.lookups < 2 * MAX_COUNTED


async def test_includes_of_one_record_are_fetched_concurrently() -> None:
    includes = [f"p{i}.test" for i in range(8)]
    zone: Zone = {
        "shop.test": txt("v=spf1 " + " ".join(f"include:{d}" for d in includes) + " -all")
    }
    zone |= {d: txt("v=spf1 ip4:192.0.2.1 -all") for d in includes}
    started = time.perf_counter()
    policy = await analyze(zone, delay=0.3)
    elapsed = time.perf_counter() - started
    assert policy.lookups == 8 and policy.status == "ok"
    assert elapsed < 8 * 0.3, f"{elapsed:.2f}s: the includes were fetched one by one"


async def test_check_host_follows_the_tree_it_reports() -> None:
    zone: Zone = {
        "shop.test": txt("v=spf1 ip4:192.0.2.7 include:esp.test -all exp=why.shop.test"),
        "esp.test": txt("v=spf1 ip4:198.51.100.0/24 ~all"),
        "why.shop.test": txt("%{i} may not send mail as %{d}"),
    }
    async with SuiteDns(zone) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=2.0)
        own = await check_host(resolver, "192.0.2.7", "shop.test", "orders@shop.test")
        esp = await check_host(resolver, "198.51.100.20", "shop.test", "orders@shop.test")
        other = await check_host(resolver, "203.0.113.5", "shop.test", "orders@shop.test")
    assert (own.result, own.mechanism) == ("pass", "ip4:192.0.2.7")
    assert (esp.result, esp.mechanism) == ("pass", "include:esp.test")
    assert (other.result, other.mechanism) == ("fail", "-all")
    assert other.explanation == "203.0.113.5 may not send mail as shop.test"
    assert other.domain == "shop.test"


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ("v=spf1 a:mail.shop...test -all", "ok"),
        ("v=spf1 include:a..shop.test -all", "invalid"),
        (f"v=spf1 include:{'x' * 64}.shop.test -all", "invalid"),
    ],
    ids=["a-empty-label", "include-empty-label", "include-long-label"],
)
async def test_malformed_targets_are_problems_not_dns_failures(record: str, status: str) -> None:
    policy = await analyze({"shop.test": txt(record)})
    assert policy.status == status
    assert any("names no valid domain" in p for p in policy.problems)
    assert policy.tree["terms"][0]["malformed"] is True
