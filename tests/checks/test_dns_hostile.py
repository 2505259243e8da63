"""The dns area against broken and hostile nameservers: findings or a check error, quickly.

Every behaviour of ``tests/dnslab/hostile.py`` is pointed at the whole zone or at one name.
The area must end within a few operation timeouts with either findings it can stand behind
or a :class:`ConnectivityError` that names what did not answer: never a hang, never another
exception, never a finding built on a failed lookup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dns.rcode
import pytest

from launchready.checks import dns as area
from launchready.errors import CheckError, ConnectivityError
from launchready.findings import JSONValue
from launchready.manifest import parse_manifest
from tests.checks.support import check_context
from tests.checks.test_dns import MANIFEST, ZONE
from tests.dnslab.hostile import (
    HostileServer,
    Responder,
    alias,
    by_type,
    cname_loop,
    delayed,
    garbage,
    rcode,
    records,
    servfail,
    silent,
    truncated,
    txt_strings,
    wrong_question,
)

TIMEOUT = 0.5
DEADLINE = TIMEOUT * 8
"""Three lookup rounds, a linked-page fetch and the limiter's queueing, with room to spare."""


@dataclass(frozen=True)
class Outcome:
    ids: list[str] | None
    error: str | None
    dns_map: list[dict[str, JSONValue]]
    seconds: float


async def audit(server: HostileServer, manifest_edit: Callable[[str], str] = str) -> Outcome:
    text = MANIFEST.format(
        d="shop.test", ns=server.nameserver, mx="10 mail.shop.test", checkout="false"
    )
    manifest = parse_manifest(manifest_edit(text), Path("launchready.yaml"), {})
    async with check_context(manifest, op_timeout=TIMEOUT) as ctx:
        started = time.perf_counter()
        ids: list[str] | None = None
        error: CheckError | None = None
        try:
            ids = sorted(f.id for f in await area.run(ctx))
        except CheckError as exc:  # any other exception fails the test with its traceback
            error = exc
        seconds = time.perf_counter() - started
    assert error is None or type(error) is ConnectivityError, error
    return Outcome(ids, str(error) if error else None, ctx.deliverables.get("dns_map", []), seconds)


WHOLE_SERVER: list[tuple[str, Callable[[HostileServer], Responder]]] = [
    ("servfail", lambda s: servfail()),
    ("refused", lambda s: rcode(dns.rcode.REFUSED)),
    ("silent", lambda s: silent()),
    ("slower-than-the-timeout", lambda s: delayed(TIMEOUT * 3, s.honest)),
    ("garbage", lambda s: garbage()),
    ("garbage-without-id", lambda s: garbage(keep_id=False)),
    ("wrong-question", lambda s: wrong_question()),
    ("truncated-and-tcp-refused", lambda s: truncated(None)),
]


@pytest.mark.parametrize(
    "make", [m for _, m in WHOLE_SERVER], ids=[name for name, _ in WHOLE_SERVER]
)
async def test_a_server_that_never_answers_usefully_is_a_check_error(
    make: Callable[[HostileServer], Responder],
) -> None:
    server = HostileServer(ZONE)
    server.default = make(server)
    async with server:
        outcome = await audit(server)
    assert outcome.ids is None
    assert outcome.error is not None
    assert outcome.error.startswith(f"the nameservers {server.nameserver} gave no usable answer")
    assert outcome.seconds < DEADLINE
    assert outcome.dns_map[0]["name"] == "shop.test"


async def test_lookups_run_concurrently() -> None:
    """About a hundred lookups, each 0.2 s late: in rounds they take about a second;
    one after another they would take twenty."""
    server = HostileServer(ZONE)
    server.default = delayed(0.2, server.honest)
    async with server:
        text = MANIFEST.format(
            d="shop.test", ns=server.nameserver, mx="10 mail.shop.test", checkout="false"
        )
        manifest = parse_manifest(text, Path("launchready.yaml"), {})
        async with check_context(manifest, op_timeout=2.0) as ctx:
            started = time.perf_counter()
            assert await area.run(ctx) == []
            seconds = time.perf_counter() - started
    assert len(server.seen) > 60
    assert seconds < 3.0


async def test_truncation_with_a_working_tcp_retry_is_just_slower() -> None:
    server = HostileServer(ZONE)
    server.default = truncated(server.honest)
    async with server:
        outcome = await audit(server)
    assert (outcome.ids, outcome.error) == ([], None)
    assert {t for t, _, _ in server.seen} == {"udp", "tcp"}


Rules = Callable[[HostileServer], dict[str, Responder]]
ONE_NAME: list[tuple[str, Rules, str]] = [
    ("staging-silent", lambda s: {"staging.shop.test": silent()}, "staging.shop.test"),
    (
        "www-cname-loop",
        lambda s: {"www.shop.test": cname_loop("www.shop.test", "loop.shop.test")},
        "www.shop.test",
    ),
    (
        "api-into-an-unserved-zone",
        lambda s: {"api.shop.test": alias("api.provider.example")},
        "api.shop.test",
    ),
    (
        "apex-caa-servfail",
        lambda s: {"shop.test": by_type({"CAA": servfail()}, s.honest)},
        "shop.test CAA",
    ),
    ("ns-address-garbage", lambda s: {"ns2.shop.test": garbage()}, "ns2.shop.test"),
]


@pytest.mark.parametrize(
    ("rules", "named"),
    [case[1:] for case in ONE_NAME],
    ids=[case[0] for case in ONE_NAME],
)
async def test_one_name_failing_is_a_check_error_naming_it(rules: Rules, named: str) -> None:
    server = HostileServer(ZONE)
    server.rules = rules(server)
    async with server:
        outcome = await audit(server)
    assert outcome.ids is None, outcome
    assert outcome.error is not None and named in outcome.error
    assert outcome.seconds < DEADLINE


async def test_a_guessed_name_failing_is_not_an_error() -> None:
    rules = {
        "promo.shop.test": silent(),
        "blog.shop.test": cname_loop("blog.shop.test", "blog2.shop.test"),
        "shop.shop.test": garbage(),
    }
    async with HostileServer(ZONE, rules=rules) as server:
        outcome = await audit(server)
    assert (outcome.ids, outcome.error) == ([], None)
    assert outcome.seconds < DEADLINE


async def test_a_huge_txt_set_is_read_whole_and_judged() -> None:
    values = [txt_strings(f"verification-{i:04}=" + "x" * 180) for i in range(300)]
    server = HostileServer(ZONE)
    server.rules = {"shop.test": by_type({"TXT": records("TXT", values)}, server.honest)}
    async with server:
        outcome = await audit(server)
    assert (outcome.ids, outcome.error) == ([], None)
    apex = outcome.dns_map[0]
    assert isinstance(apex["records"], dict) and len(apex["records"]["TXT"]) == 300


async def test_txt_split_into_255_byte_strings_matches_the_plan() -> None:
    spf = "v=spf1 " + " ".join(f"ip4:127.0.{i}.0/24" for i in range(40)) + " -all"
    chunks = [spf[i : i + 255] for i in range(0, len(spf), 255)]
    zone = ZONE.replace('@ TXT "v=spf1 -all"', f"@ TXT {txt_strings(*chunks)}")
    expect = f"    - {{name: shop.test, type: TXT, values: ['{txt_strings(*chunks)}']}}\n"
    async with HostileServer(zone) as server:
        outcome = await audit(server, lambda t: t.replace("  expect:\n", "  expect:\n" + expect))
        assert outcome.ids == []
        changed = await audit(
            server, lambda t: t.replace("  expect:\n", "  expect:\n" + expect[:-5] + "X']}\n")
        )
    assert changed.ids == ["dns.record-mismatch"]


async def test_hostile_record_text_is_kept_as_data() -> None:
    zone = ZONE.replace('"v=spf1 -all"', '"<script>alert(1)</script> | ]]> \\027[2J"')
    async with HostileServer(zone) as server:
        outcome = await audit(server)
    assert outcome.ids == []
    records = outcome.dns_map[0]["records"]
    assert isinstance(records, dict)
    assert records["TXT"] == ["<script>alert(1)</script> | ]]> \x1b[2J"]
