"""A dict-backed authoritative DNS server on loopback for the RFC 7208 test suite.

The suite describes each scenario's DNS as ``zonedata`` (name -> list of records). This
server answers real UDP and TCP DNS queries from that data, with the conventions of the
suite's reference driver (pyspf's ``testspf.py``):

* ``TIMEOUT`` in a name's list: a query for a type with no record *before* that entry gets
  no answer at all, so the client times out (the suite expects temperror);
* ``SPF`` (type 99) records are served as SPF, and also copied to TXT unless the name has
  an explicit ``TXT`` entry (``TXT: NONE`` means "no TXT, and do not copy");
* a TXT/SPF value given as a list is one record made of several strings;
* a CNAME is answered and chased inside the data (a loop is cut at the first repeat);
* a name that is not in the data is NXDOMAIN; a known name without the type is NODATA.

A record with no strings (which RFC 1035 forbids and dnspython cannot encode) is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

TIMEOUT = "TIMEOUT"
CNAME_HOPS = 8


@dataclass(frozen=True)
class Entry:
    rdtype: str
    value: Any


Zone = dict[dns.name.Name, list[Entry | str]]


def load_zone(zonedata: dict[str, list[Any]]) -> Zone:
    """The suite's zonedata as the server's lookup table (names compare case-insensitively)."""
    zone: Zone = {}
    for name, items in zonedata.items():
        entries: list[Entry | str] = []
        copies: list[Entry] = []
        explicit_txt = False
        for item in items:
            if item == TIMEOUT:
                entries.append(TIMEOUT)
                continue
            ((rdtype, value),) = item.items()
            if rdtype == "TXT":
                explicit_txt = True
            if rdtype == "SPF":
                copies.append(Entry("TXT", value))
            if value != "NONE":
                entries.append(Entry(rdtype, value))
        if not explicit_txt:
            entries.extend(copies)
        zone[dns.name.from_text(name)] = entries
    return zone


def _rdata(entry: Entry) -> dns.rdata.Rdata | None:
    rdtype = dns.rdatatype.from_text(entry.rdtype)
    value = entry.value
    if entry.rdtype in ("TXT", "SPF"):
        strings = [value] if isinstance(value, str) else list(value)
        chunks = [
            raw[i : i + 255]
            for raw in (s.encode("utf-8") for s in strings)
            for i in range(0, max(len(raw), 1), 255)
        ]
        if not chunks:
            return None
        quoted = " ".join('"' + "".join(f"\\{b:03d}" for b in c) + '"' for c in chunks)
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, quoted)
    if entry.rdtype == "MX":
        preference, exchange = value
        target = dns.name.from_text(exchange) if exchange else dns.name.root
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, f"{preference} {target}")
    if entry.rdtype in ("A", "AAAA"):
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, str(ipaddress.ip_address(value)))
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, str(dns.name.from_text(value)))


@dataclass
class SuiteDns:
    """``async with SuiteDns(zonedata) as server:`` serves on ``server.nameserver``."""

    zonedata: dict[str, list[Any]]
    delay: float = 0.0
    """Seconds before each answer, to observe which lookups a client runs concurrently."""
    port: int = 0
    queries: list[tuple[str, str]] = field(default_factory=list)
    _zone: Zone = field(default_factory=dict)
    _udp: asyncio.DatagramTransport | None = None
    _tcp: asyncio.Server | None = None
    _streams: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def __aenter__(self) -> SuiteDns:
        self._zone = load_zone(self.zonedata)
        loop = asyncio.get_running_loop()
        self._tcp = await asyncio.start_server(self._serve_tcp, "127.0.0.1", 0)
        self.port = self._tcp.sockets[0].getsockname()[1]
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self), local_addr=("127.0.0.1", self.port)
        )
        self._udp = transport
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._udp is not None:
            self._udp.close()
        for writer in list(self._streams):
            writer.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()

    def answer(self, wire: bytes, max_size: int) -> bytes | None:
        """The response to one query, or None to stay silent (a TIMEOUT entry)."""
        query = dns.message.from_wire(wire)
        question = query.question[0]
        self.queries.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype)))
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not self._resolve(question.name, question.rdtype, response, seen=set()):
            return None
        size = max(max_size, query.payload if query.edns >= 0 else 512)
        return response.to_wire(max_size=size, prefer_truncation=True)

    def _resolve(
        self, name: dns.name.Name, rdtype: int, response: dns.message.Message, seen: set[Any]
    ) -> bool:
        entries = self._zone.get(name)
        if entries is None:
            if not seen:
                response.set_rcode(dns.rcode.NXDOMAIN)
            return True
        wanted = dns.rdatatype.to_text(rdtype)
        cname = [e for e in entries if isinstance(e, Entry) and e.rdtype == "CNAME"]
        if cname and wanted != "CNAME":
            target = dns.name.from_text(cname[0].value)
            response.answer.append(_rrset(name, [_rdata(cname[0])]))
            if target in seen or len(seen) >= CNAME_HOPS:
                return True
            return self._resolve(target, rdtype, response, seen | {name})
        found: list[dns.rdata.Rdata | None] = []
        for entry in _until_timeout(entries, wanted):
            if entry is None:
                return False
            found.append(_rdata(entry))
        if any(r is not None for r in found):
            response.answer.append(_rrset(name, found))
        return True

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._streams.add(writer)
        try:
            while True:
                (length,) = struct.unpack("!H", await reader.readexactly(2))
                reply = self.answer(await reader.readexactly(length), 65535)
                if reply is not None:
                    writer.write(struct.pack("!H", len(reply)) + reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._streams.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def _until_timeout(entries: list[Entry | str], wanted: str) -> Iterator[Entry | None]:
    """pyspf's rule: records of the type up to a TIMEOUT entry; None means "time out"."""
    seen = False
    for entry in entries:
        if entry == TIMEOUT:
            if not seen:
                yield None
            return
        assert isinstance(entry, Entry)
        if entry.rdtype == wanted:
            seen = True
            yield entry


def _rrset(name: dns.name.Name, rdatas: list[dns.rdata.Rdata | None]) -> dns.rrset.RRset:
    return dns.rrset.from_rdata_list(name, 300, [r for r in rdatas if r is not None])


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: SuiteDns) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # 3.11: not a subclass

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self.server.answer(data, 0)
        if reply is None or self.transport is None:
            return
        if self.server.delay:
            loop = asyncio.get_running_loop()
            loop.call_later(self.server.delay, self._send, reply, addr)
        else:
            self._send(reply, addr)

    def _send(self, reply: bytes, addr: tuple[str | Any, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)
