"""The demo's authoritative DNS server: real answers, over UDP and TCP, and robustness."""

from __future__ import annotations

import ipaddress
import random
import re
import socket
import struct
from typing import TYPE_CHECKING

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from launchready.demo.credentials import Credentials
from launchready.demo.dns_server import Authority
from launchready.demo.settings import DemoSettings
from launchready.demo.zones import build_zones

if TYPE_CHECKING:
    from .conftest import Probe

D = "demo-candles.test"


async def test_www_resolves_through_its_cname(probe: Probe) -> None:
    answer = await probe.resolver.query(f"www.{D}", "A")
    assert answer.status == "ok"
    assert answer.records == ("127.0.0.10",)
    assert answer.canonical_name == D


async def test_answers_are_authoritative(probe: Probe) -> None:
    response = await probe.dns(dns.message.make_query(f"api.{D}", "A"))
    assert response.flags & dns.flags.AA
    assert response.rcode() == dns.rcode.NOERROR
    assert [rr.to_text() for rr in response.answer[0]] == ["127.0.0.10"]


async def test_dangling_cname_target_is_nxdomain(flawed: Probe) -> None:
    cname = await flawed.resolver.query(f"promo.{D}", "CNAME")
    assert cname.records == (f"summer-sale.{D}.",)
    response = await flawed.dns(dns.message.make_query(f"promo.{D}", "A"))
    # RFC 6604: the CNAME is in the answer, the rcode speaks for the end of the chain.
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.answer[0].rdtype == dns.rdatatype.CNAME
    assert response.authority[0].rdtype == dns.rdatatype.SOA
    assert (await flawed.resolver.query(f"summer-sale.{D}", "A")).status == "nxdomain"


async def test_missing_type_is_nodata_with_soa(probe: Probe) -> None:
    response = await probe.dns(dns.message.make_query(f"api.{D}", "AAAA"))
    assert response.rcode() == dns.rcode.NOERROR
    assert not response.answer
    assert response.authority[0].rdtype == dns.rdatatype.SOA
    assert response.authority[0].ttl == 300


async def test_empty_non_terminal_is_nodata(probe: Probe) -> None:
    assert (await probe.resolver.query(f"_domainkey.{D}", "TXT")).status == "nodata"


async def test_names_outside_the_zones_are_refused(probe: Probe) -> None:
    response = await probe.dns(dns.message.make_query("example.com", "A"))
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA
    assert (await probe.resolver.query("example.com", "A")).status != "ok"


async def test_zone_transfer_is_refused(probe: Probe) -> None:
    response = await probe.dns(dns.message.make_query(D, "AXFR"), tcp=True)
    assert response.rcode() == dns.rcode.REFUSED


async def test_tcp_gives_the_same_answer(probe: Probe) -> None:
    query = dns.message.make_query(f"www.{D}", "A")
    over_tcp = await probe.dns(query, tcp=True)
    assert over_tcp.flags & dns.flags.AA
    assert [rrset.to_text() for rrset in over_tcp.answer] == [
        rrset.to_text() for rrset in (await probe.dns(query)).answer
    ]


async def test_large_answer_truncates_over_udp_and_completes_over_tcp(fixed: Probe) -> None:
    query = dns.message.make_query(D, "ANY", use_edns=0, payload=512, want_dnssec=True)
    over_udp = await fixed.dns(query)
    assert over_udp.flags & dns.flags.TC
    over_tcp = await fixed.dns(query, tcp=True)
    assert not over_tcp.flags & dns.flags.TC
    types = {rrset.rdtype for rrset in over_tcp.answer}
    assert {dns.rdatatype.SOA, dns.rdatatype.DNSKEY, dns.rdatatype.RRSIG} <= types


async def test_signed_zone_returns_signatures_only_when_asked(fixed: Probe) -> None:
    plain = await fixed.dns(dns.message.make_query(D, "A"))
    assert [r.rdtype for r in plain.answer] == [dns.rdatatype.A]
    signed = await fixed.dns(dns.message.make_query(D, "A", want_dnssec=True))
    assert [r.rdtype for r in signed.answer] == [dns.rdatatype.A, dns.rdatatype.RRSIG]
    assert signed.answer[1].covers == dns.rdatatype.A


async def test_provider_stub_zones_answer_spf_includes(probe: Probe) -> None:
    google = await probe.resolver.query("_spf.google.com", "TXT")
    assert google.records[0].startswith("v=spf1 include:_netblocks.google.com")
    sendgrid = await probe.resolver.query("sendgrid.net", "TXT")
    assert sendgrid.records[0].startswith("v=spf1 ip4:")


def _udp_exchange(port: int, packet: bytes) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        sock.sendto(packet, ("127.0.0.1", port))
        try:
            return sock.recv(4096)
        except TimeoutError:
            return None


@pytest.mark.parametrize(
    "packet",
    [b"", b"\x00", b"\xff" * 11, b"\x12\x34" + b"\x01\x00" + b"\x00\x01" * 4 + b"\xff" * 40],
    ids=["empty", "one-byte", "short-header", "bad-question"],
)
async def test_garbage_over_udp_is_survived(probe: Probe, packet: bytes) -> None:
    reply = _udp_exchange(probe.ports.dns, packet)
    if reply is not None:  # a header was there: FORMERR to the same ID
        ident, flags = struct.unpack("!HH", reply[:4])
        assert ident == 0x1234
        assert flags & 0x000F == dns.rcode.FORMERR
    assert (await probe.resolver.query(f"www.{D}", "A")).ok


async def test_garbage_over_tcp_is_survived(probe: Probe) -> None:
    with socket.create_connection(("127.0.0.1", probe.ports.dns), timeout=1) as sock:
        junk = b"\xab\xcd" + b"\x00" * 3 + b"\xfe" * 20
        sock.sendall(struct.pack("!H", len(junk)) + junk)
        length = struct.unpack("!H", sock.recv(2))[0]
        reply = sock.recv(length)
        assert reply[:2] == b"\xab\xcd"
    with socket.create_connection(("127.0.0.1", probe.ports.dns), timeout=1) as sock:
        sock.sendall(b"\x00\x40\x01")  # promises 64 bytes, sends 1, hangs up
    response = await probe.dns(dns.message.make_query(f"www.{D}", "A"), tcp=True)
    assert response.answer


async def test_a_response_packet_is_never_answered(probe: Probe) -> None:
    response = dns.message.make_response(dns.message.make_query(f"www.{D}", "A"))
    assert _udp_exchange(probe.ports.dns, response.to_wire()) is None


@pytest.mark.parametrize("fixed", [False, True], ids=["flawed", "fixed"])
def test_every_published_address_is_loopback(fixed: bool) -> None:
    settings = DemoSettings(fixed=fixed, credentials=Credentials.generate())
    for zone in build_zones(settings):
        for name, node in zone.nodes.items():
            for rdataset in node.rdatasets:
                for rdata in rdataset:
                    text = rdata.to_text()
                    addresses = re.findall(r"ip[46]:([0-9a-fA-F:.]+)", text)
                    if rdataset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                        addresses.append(text)
                    for address in addresses:
                        network = ipaddress.ip_network(address, strict=False)
                        assert network.network_address.is_loopback, f"{name}: {text}"


def test_mangled_queries_never_raise() -> None:
    """Bit-flipped and cut queries get a reply or silence, never an exception."""
    settings = DemoSettings(fixed=True, credentials=Credentials.generate())
    authority = Authority(build_zones(settings))
    base = dns.message.make_query(f"www.{D}", "A", want_dnssec=True).to_wire()
    rng = random.Random(7731)
    for _ in range(3000):
        packet = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            packet[rng.randrange(len(packet))] = rng.randrange(256)
        if rng.random() < 0.2:
            packet = packet[: rng.randrange(len(packet))]
        reply = authority.respond(bytes(packet), tcp=rng.random() < 0.5)
        assert reply is None or len(reply) >= 12
