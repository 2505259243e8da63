"""An authoritative DNS server for the demo's zones, over UDP and TCP on one port.

The audit's DNS checks must meet real DNS behaviour (NXDOMAIN versus NODATA, CNAME
chains, the AA flag, truncation and the TCP retry, REFUSED for names we do not serve), so
the demo runs a small but honest authoritative server instead of faking resolver
answers. :class:`Authority` is the pure part (bytes in, bytes out); :class:`DnsServer`
only moves packets. Garbage input gets FORMERR or silence, never an exception that
could stop the loop.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from typing import cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

log = logging.getLogger("launchready.demo.dns")

MAX_CNAME_CHAIN = 8
UDP_PLAIN_LIMIT = 512
UDP_EDNS_LIMIT = 1232
TCP_LIMIT = 65535
TCP_IDLE_S = 10.0
_HEADER = struct.Struct("!HHHHHH")
_QR = 0x8000
_IN = dns.rdataclass.IN


class Authority:
    """Answers queries from a fixed set of zones; knows nothing about sockets."""

    def __init__(self, zones: list[dns.zone.Zone]) -> None:
        # Longest origin first, so a name falls into its most specific zone.
        self._zones = sorted(zones, key=lambda z: len(_origin(z)), reverse=True)

    def respond(self, wire: bytes, *, tcp: bool) -> bytes | None:
        """The reply to one query message, or None when nothing should be sent back."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:  # any malformed packet: the server must keep serving
            return _bare_reply(wire, dns.rcode.FORMERR)
        if query.flags & dns.flags.QR:
            return None  # never answer a response: that is how reflection loops start
        try:
            return self._reply(query, TCP_LIMIT if tcp else _udp_limit(query))
        except Exception:  # a query we parsed but cannot answer in kind (e.g. a TSIG)
            log.debug("demo DNS could not answer a query", exc_info=True)
            return _bare_reply(wire, dns.rcode.SERVFAIL)

    def _reply(self, query: dns.message.Message, limit: int) -> bytes:
        response = self._answer(query)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            # Too big for UDP: an empty answer with TC tells the resolver to retry over TCP.
            short = dns.message.make_response(query)
            short.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
            return short.to_wire()

    def zone_for(self, name: dns.name.Name) -> dns.zone.Zone | None:
        """The zone that is authoritative for ``name``, if we serve one."""
        return next((z for z in self._zones if name.is_subdomain(_origin(z))), None)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query, our_payload=UDP_EDNS_LIMIT)
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        zone = self.zone_for(question.name)
        rdtype = question.rdtype
        transfer = dns.rdatatype.is_metatype(rdtype) and rdtype != dns.rdatatype.ANY
        if question.rdclass != _IN or zone is None or transfer:
            response.set_rcode(dns.rcode.REFUSED)  # not ours, or a zone transfer
            return response
        dnssec_ok = bool(query.ednsflags & dns.flags.DO)
        if dnssec_ok:
            response.want_dnssec(True)
        response.flags |= dns.flags.AA
        self._resolve(response, zone, question.name, rdtype, dnssec_ok)
        return response

    def _resolve(
        self,
        response: dns.message.Message,
        zone: dns.zone.Zone,
        qname: dns.name.Name,
        rdtype: dns.rdatatype.RdataType,
        dnssec_ok: bool,
    ) -> None:
        name = qname
        for _ in range(MAX_CNAME_CHAIN):
            node = zone.get_node(name)
            if node is None:
                if not _has_descendants(zone, name):
                    response.set_rcode(dns.rcode.NXDOMAIN)
                _add_soa(response, zone, dnssec_ok)
                return
            if rdtype == dns.rdatatype.ANY:
                found = [r for r in node.rdatasets if dnssec_ok or r.rdtype != dns.rdatatype.RRSIG]
                for rdataset in found:
                    response.answer.append(_rrset(name, rdataset))
                if not found:
                    _add_soa(response, zone, dnssec_ok)
                return
            rdataset = node.get_rdataset(_IN, rdtype)
            if rdataset is not None:
                _add(response.answer, node, name, rdataset, dnssec_ok)
                return
            cname = node.get_rdataset(_IN, dns.rdatatype.CNAME)
            if cname is None or rdtype == dns.rdatatype.CNAME:
                _add_soa(response, zone, dnssec_ok)  # NODATA: the name exists, the type not
                return
            _add(response.answer, node, name, cname, dnssec_ok)
            name = cname[0].target
            next_zone = self.zone_for(name)
            if next_zone is None:
                return  # the resolver follows names we are not authoritative for
            zone = next_zone


class DnsServer:
    """Serves an :class:`Authority` on a pre-bound UDP socket and TCP socket."""

    def __init__(self, authority: Authority, udp: socket.socket, tcp: socket.socket) -> None:
        self._authority = authority
        self._udp_sock = udp
        self._tcp_sock = tcp
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self._authority), sock=self._udp_sock
        )
        self._tcp = await asyncio.start_server(self._serve_tcp, sock=self._tcp_sock)

    async def close(self) -> None:
        """Stop listening and drop open TCP connections (Python 3.11 keeps them otherwise)."""
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._tcp is not None:
            await self._tcp.wait_closed()

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                header = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE_S)
                (length,) = struct.unpack("!H", header)
                wire = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE_S)
                reply = self._authority.respond(wire, tcp=True)
                if reply is None:
                    break
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            self._connections.discard(task)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, authority: Authority) -> None:
        self._authority = authority
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # CPython's UDP transport does not subclass DatagramTransport; it behaves as one.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        reply = self._authority.respond(data, tcp=False)
        if reply is not None and self._transport is not None:
            self._transport.sendto(reply, addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("demo DNS: %s", exc)


def bind_dns_sockets(
    host: str = "127.0.0.1", attempts: int = 50
) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket bound to the same free port (resolvers retry TCP on that port)."""
    for _ in range(attempts):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind((host, port))
            tcp.listen(64)
        except OSError:
            udp.close()
            tcp.close()
            continue
        return udp, tcp
    raise OSError("no port was free for both UDP and TCP")


def _origin(zone: dns.zone.Zone) -> dns.name.Name:
    assert zone.origin is not None
    return zone.origin


def _udp_limit(query: dns.message.Message) -> int:
    if query.edns < 0:
        return UDP_PLAIN_LIMIT
    return max(UDP_PLAIN_LIMIT, min(query.payload, UDP_EDNS_LIMIT))


def _bare_reply(wire: bytes, rcode: int) -> bytes | None:
    """A header-only error reply for a packet that has a query header; silence otherwise."""
    if len(wire) < _HEADER.size:
        return None
    ident, flags = struct.unpack("!HH", wire[:4])
    if flags & _QR:
        return None
    return _HEADER.pack(ident, _QR | rcode, 0, 0, 0, 0)


def _has_descendants(zone: dns.zone.Zone, name: dns.name.Name) -> bool:
    """An empty non-terminal (``_domainkey`` above ``s1._domainkey``) is NODATA, not NXDOMAIN."""
    return any(other != name and other.is_subdomain(name) for other in zone.nodes)


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))


def _add(
    section: list[dns.rrset.RRset],
    node: dns.node.Node,
    name: dns.name.Name,
    rdataset: dns.rdataset.Rdataset,
    dnssec_ok: bool,
) -> None:
    section.append(_rrset(name, rdataset))
    if dnssec_ok:
        signature = node.get_rdataset(_IN, dns.rdatatype.RRSIG, rdataset.rdtype)
        if signature is not None:
            section.append(_rrset(name, signature))


def _add_soa(response: dns.message.Message, zone: dns.zone.Zone, dnssec_ok: bool) -> None:
    """The SOA that makes a negative answer cacheable (RFC 2308), at the SOA minimum TTL."""
    origin = _origin(zone)
    node = zone.get_node(origin)
    soa = zone.get_rdataset(origin, dns.rdatatype.SOA)
    if node is None or soa is None:
        return
    rrset = _rrset(origin, soa)
    rrset.ttl = min(rrset.ttl, soa[0].minimum)
    response.authority.append(rrset)
    if dnssec_ok:
        signature = node.get_rdataset(_IN, dns.rdatatype.RRSIG, dns.rdatatype.SOA)
        if signature is not None:
            response.authority.append(_rrset(origin, signature))
