"""The hostile DNS server does what each behaviour says, and the resolver turns each into a value.

The first half checks the lab itself with raw dnspython queries (a test server that does not
misbehave as advertised proves nothing); the second half shows what the audit's
:class:`~launchready.net.Resolver` makes of each behaviour: always a status, never an
exception, never longer than its timeout.
"""

from __future__ import annotations

import time

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import pytest

from launchready.manifest import Network
from launchready.net import Resolver
from launchready.net.dns import AnswerStatus
from tests.dnslab.hostile import (
    HostileServer,
    Responder,
    alias,
    cname_loop,
    garbage,
    records,
    servfail,
    silent,
    truncated,
    txt_strings,
    wrong_question,
)

ZONE = f"""
@ NS ns1
ns1 A 127.0.0.53
@ A 127.0.0.10
www CNAME @
long TXT {txt_strings("a" * 255, "b" * 255, "c" * 10)}
"""
TIMEOUT = 0.5


def _port(server: HostileServer) -> int:
    return int(server.nameserver.rsplit(":", 1)[1])


async def test_honest_answers_over_udp_and_tcp() -> None:
    async with HostileServer(ZONE) as server:
        query = dns.message.make_query("www.shop.test", "A")
        for send in (dns.asyncquery.udp, dns.asyncquery.tcp):
            reply = await send(query, "127.0.0.1", port=_port(server), timeout=2)
            assert reply.rcode() == dns.rcode.NOERROR
            assert [str(r.name) for r in reply.answer] == ["www.shop.test.", "shop.test."]
        assert [t for t, _, _ in server.seen] == ["udp", "tcp"]


async def test_truncated_sets_tc_over_udp_and_answers_over_tcp() -> None:
    server = HostileServer(ZONE)
    server.default = truncated(server.honest)
    async with server:
        query = dns.message.make_query("shop.test", "A")
        udp = await dns.asyncquery.udp(query, "127.0.0.1", port=_port(server), timeout=2)
        assert udp.flags & dns.flags.TC and not udp.answer
        tcp = await dns.asyncquery.tcp(query, "127.0.0.1", port=_port(server), timeout=2)
        assert tcp.answer


async def test_silence_garbage_and_wrong_questions_get_no_usable_reply() -> None:
    for behaviour in (silent(), garbage(), wrong_question()):
        async with HostileServer(ZONE, default=behaviour) as server:
            query = dns.message.make_query("shop.test", "A")
            with pytest.raises((dns.exception.Timeout, dns.exception.FormError)):
                await dns.asyncquery.udp(query, "127.0.0.1", port=_port(server), timeout=0.3)


async def test_garbage_keeps_the_query_id() -> None:
    server = HostileServer(ZONE, default=garbage(keep_id=True))
    query = dns.message.make_query("shop.test", "A")
    reply = await server.reply(query.to_wire(), "udp")
    assert reply is not None and reply[:2] == query.to_wire()[:2]


CASES: list[tuple[str, Responder, AnswerStatus]] = [
    ("servfail", servfail(), "servfail"),
    ("silent", silent(), "timeout"),
    ("garbage", garbage(), "timeout"),
    ("garbage-without-id", garbage(keep_id=False), "timeout"),
    ("wrong-question", wrong_question(), "timeout"),
    ("cname-loop-in-one-answer", cname_loop("shop.test", "loop.shop.test"), "servfail"),
    ("truncated-then-tcp-refused", truncated(None), "servfail"),
]


@pytest.mark.parametrize(("behaviour", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_the_resolver_turns_each_behaviour_into_a_status(
    behaviour: Responder, status: AnswerStatus
) -> None:
    async with HostileServer(ZONE, default=behaviour) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=TIMEOUT)
        started = time.perf_counter()
        answer = await resolver.query("shop.test", "A")
        assert time.perf_counter() - started < TIMEOUT * 3
    assert answer.status == status, answer


async def test_a_truncated_answer_is_fetched_over_tcp() -> None:
    server = HostileServer(ZONE)
    server.default = truncated(server.honest)
    async with server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=TIMEOUT)
        answer = await resolver.query("shop.test", "A")
    assert answer.records == ("127.0.0.10",)
    assert [t for t, _, _ in server.seen] == ["udp", "tcp"]


async def test_split_txt_strings_are_joined() -> None:
    async with HostileServer(ZONE) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=TIMEOUT)
        answer = await resolver.query("long.shop.test", "TXT")
    assert answer.records == ("a" * 255 + "b" * 255 + "c" * 10,)


async def test_a_huge_record_set_arrives_whole_over_tcp() -> None:
    values = [txt_strings(f"{i:04} " + "x" * 200) for i in range(200)]
    async with HostileServer(ZONE, rules={"big.shop.test": records("TXT", values)}) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=TIMEOUT)
        answer = await resolver.query("big.shop.test", "TXT")
    assert answer.status == "ok"
    assert len(answer.records) == 200


async def test_a_cname_left_unfinished_by_the_server_is_chased() -> None:
    """An authoritative server answers a CNAME into a zone it does not serve with the CNAME
    alone; the resolver asks again for the target (here served by the same lab)."""
    rules = {"promo.shop.test": alias("www.shop.test"), "gone.shop.test": alias("nope.shop.test")}
    async with HostileServer(ZONE, rules=rules) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=TIMEOUT)
        promo = await resolver.query("promo.shop.test", "A")
        gone = await resolver.query("gone.shop.test", "A")
        cname = await resolver.query("promo.shop.test", "CNAME")
    assert (promo.status, promo.records, promo.canonical_name) == (
        "ok",
        ("127.0.0.10",),
        "shop.test",
    )
    assert (gone.status, gone.canonical_name) == ("nxdomain", "nope.shop.test")
    assert cname.records == ("www.shop.test.",)


async def test_a_cname_loop_across_lookups_ends_in_servfail() -> None:
    rules = {"a.shop.test": alias("b.shop.test"), "b.shop.test": alias("a.shop.test")}
    async with HostileServer(ZONE, rules=rules) as server:
        resolver = Resolver(Network(nameservers=[server.nameserver]), timeout=TIMEOUT)
        started = time.perf_counter()
        first = await resolver.query("a.shop.test", "A")
        second = await resolver.query("b.shop.test", "A")
    assert time.perf_counter() - started < TIMEOUT
    assert first.status == second.status == "servfail"
    assert "CNAME loop" in (first.detail or "")
