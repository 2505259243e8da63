"""A programmable DNS server on loopback for broken and hostile behaviour.

Knot (``knot.py``) shows how a correct server answers; this one shows what the DNS checks
meet in the wild: servers that fail, stay silent, lie about the question, send garbage,
truncate answers and then refuse TCP, loop CNAMEs or flood a name with records. Each
behaviour is a small *responder*, a function from the query to the reply, so a test picks
one per name and keeps the rest of the zone honest:

    async with HostileServer(ZONE, origin="shop.test", rules={"staging.shop.test": silent()}):
        ...

The honest part reuses the demo's authoritative :class:`~launchready.demo.dns_server.Authority`
(NXDOMAIN versus NODATA, CNAME chains, TC and the TCP retry). UDP and TCP share one port on
127.0.0.1, as resolvers expect.
"""

from __future__ import annotations

import asyncio
import random
import struct
import textwrap
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.zone

from launchready.demo.dns_server import Authority, bind_dns_sockets

Transport = Literal["udp", "tcp"]
Reply = bytes | dns.message.Message | None
"""Wire bytes, a message to encode, or None to stay silent."""
Responder = Callable[["Query"], Reply | Awaitable[Reply]]
UDP_LIMIT = 1232


@dataclass(frozen=True)
class Query:
    """One query as the server received it (``message`` is None when it did not parse)."""

    wire: bytes
    message: dns.message.Message | None
    transport: Transport

    @property
    def qname(self) -> str:
        if self.message is None or not self.message.question:
            return ""
        return str(self.message.question[0].name).rstrip(".").lower()

    @property
    def qtype(self) -> str:
        if self.message is None or not self.message.question:
            return ""
        return dns.rdatatype.to_text(self.message.question[0].rdtype)


@dataclass
class HostileServer:
    """Answers from ``zone`` unless a rule for the query name (or ``default``) says otherwise."""

    zone: str = ""
    origin: str = "shop.test"
    rules: Mapping[str, Responder] = field(default_factory=dict)
    default: Responder | None = None
    seen: list[tuple[Transport, str, str]] = field(default_factory=list)
    """Every parsed query: (transport, name, type), for tests that count lookups."""
    _udp: asyncio.DatagramTransport | None = None
    _tcp: asyncio.Server | None = None
    _port: int = 0
    _honest: Responder | None = None
    _clients: dict[asyncio.Task[None], asyncio.StreamWriter] = field(default_factory=dict)

    @property
    def nameserver(self) -> str:
        """The manifest's ``network.nameservers`` entry for this server."""
        return f"127.0.0.1:{self._port}"

    @property
    def honest(self) -> Responder:
        """The zone's correct answers, for rules that wrap them."""
        if self._honest is None:
            self._honest = honest(self.zone, self.origin)
        return self._honest

    async def start(self) -> HostileServer:
        udp_sock, tcp_sock = bind_dns_sockets("127.0.0.1")
        self._port = int(udp_sock.getsockname()[1])
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self), sock=udp_sock)
        self._tcp = await asyncio.start_server(self._serve_tcp, sock=tcp_sock)
        return self

    async def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
        for writer in list(self._clients.values()):
            writer.close()  # the reader then ends: no task is cancelled mid-read
        await asyncio.gather(*self._clients, return_exceptions=True)
        if self._tcp is not None:
            await self._tcp.wait_closed()

    async def __aenter__(self) -> HostileServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def reply(self, wire: bytes, transport: Transport) -> bytes | None:
        """The bytes to send back for ``wire`` (None: send nothing)."""
        try:
            message: dns.message.Message | None = dns.message.from_wire(wire)
        except Exception:
            message = None
        query = Query(wire, message, transport)
        if message is not None:
            self.seen.append((transport, query.qname, query.qtype))
        responder = self.rules.get(query.qname) or self.default or self.honest
        outcome = responder(query)
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        if isinstance(outcome, dns.message.Message):
            return outcome.to_wire(max_size=65535)
        return outcome

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients[task] = writer
        try:
            while True:
                (length,) = struct.unpack("!H", await reader.readexactly(2))
                reply = await self.reply(await reader.readexactly(length), "tcp")
                if reply is None:
                    break  # a TCP "no answer" is a closed connection
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self._clients.pop(task, None)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: HostileServer) -> None:
        self._server = server
        self._transport: asyncio.DatagramTransport | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        task = asyncio.ensure_future(self._answer(data, addr))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _answer(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        reply = await self._server.reply(data, "udp")
        if reply is not None and self._transport is not None and not self._transport.is_closing():
            self._transport.sendto(reply, addr)


# Responders -------------------------------------------------------------------------------


def _response(query: Query, *flags: dns.flags.Flag) -> dns.message.Message | None:
    """An empty authoritative reply to ``query`` (None when the query did not parse)."""
    if query.message is None:
        return None
    reply = dns.message.make_response(query.message)
    reply.flags |= dns.flags.AA
    for flag in flags:
        reply.flags |= flag
    return reply


def honest(zone: str, origin: str) -> Responder:
    """Correct authoritative answers from zone-file text (without the SOA, added here)."""
    text = f"$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n{textwrap.dedent(zone)}"
    authority = Authority([dns.zone.from_text(text, origin=origin + ".", relativize=False)])

    def respond(query: Query) -> Reply:
        return authority.respond(query.wire, tcp=query.transport == "tcp")

    return respond


def silent() -> Responder:
    """Never answers: the resolver must give up at its timeout."""
    return lambda query: None


def rcode(code: dns.rcode.Rcode) -> Responder:
    """An empty reply with ``code`` (SERVFAIL, REFUSED, NOTIMP...)."""

    def respond(query: Query) -> Reply:
        reply = _response(query)
        if reply is not None:
            reply.set_rcode(code)
        return reply

    return respond


def servfail() -> Responder:
    return rcode(dns.rcode.SERVFAIL)


def garbage(size: int = 64, *, keep_id: bool = True, seed: int = 7) -> Responder:
    """Random bytes; with ``keep_id`` they start with the query's ID, so a resolver that
    matches replies by ID alone tries to parse them."""
    rng = random.Random(seed)

    def respond(query: Query) -> Reply:
        junk = bytes(rng.randrange(256) for _ in range(size))
        return query.wire[:2] + junk[2:] if keep_id else junk

    return respond


def truncated(then: Responder | None) -> Responder:
    """UDP answers carry only the TC bit; over TCP ``then`` answers (None: TCP is refused
    by closing the connection, as a firewall that drops port 53/TCP does)."""

    def respond(query: Query) -> Reply | Awaitable[Reply]:
        if query.transport == "tcp":
            return None if then is None else then(query)
        return _response(query, dns.flags.TC)

    return respond


def cname_loop(first: str, second: str) -> Responder:
    """``first`` CNAME ``second`` and ``second`` CNAME ``first``, both in one answer."""

    def respond(query: Query) -> Reply:
        reply = _response(query)
        if reply is not None:
            for owner, target in ((first, second), (second, first)):
                loop = dns.rrset.from_text(owner + ".", 300, "IN", "CNAME", target + ".")
                reply.answer.append(loop)
        return reply

    return respond


def alias(target: str) -> Responder:
    """Answers every type with the query name's CNAME alone, as a server that does not
    serve the target's zone does (the resolver has to ask again for the target)."""

    def respond(query: Query) -> Reply:
        reply = _response(query)
        if reply is not None:
            cname = dns.rrset.from_text(query.qname + ".", 300, "IN", "CNAME", target + ".")
            reply.answer.append(cname)
        return reply

    return respond


def wrong_question(name: str = "elsewhere.example", address: str = "127.0.0.66") -> Responder:
    """A well-formed answer to a question nobody asked (cache-poisoning shaped)."""

    def respond(query: Query) -> Reply:
        if query.message is None:
            return None
        fake = dns.message.make_query(name, "A")
        fake.id = query.message.id
        reply = dns.message.make_response(fake)
        reply.flags |= dns.flags.AA
        reply.answer.append(dns.rrset.from_text(name + ".", 300, "IN", "A", address))
        return reply

    return respond


def records(rdtype: str, values: list[str], *, ttl: int = 300) -> Responder:
    """Answers any question with ``values`` of ``rdtype`` at the query name, whatever the
    size: over UDP an answer too big for 1232 bytes is sent with TC, as servers do."""

    def respond(query: Query) -> Reply:
        reply = _response(query)
        if reply is None:
            return None
        if query.qtype == rdtype:
            reply.answer.append(
                dns.rrset.from_text_list(query.qname + ".", ttl, "IN", rdtype, values)
            )
        try:
            return reply.to_wire(max_size=65535 if query.transport == "tcp" else UDP_LIMIT)
        except dns.exception.TooBig:
            return _response(query, dns.flags.TC)

    return respond


def delayed(seconds: float, then: Responder) -> Responder:
    """``then``'s answer, ``seconds`` late (a slow server, not a dead one)."""

    async def respond(query: Query) -> Reply:
        await asyncio.sleep(seconds)
        outcome = then(query)
        if isinstance(outcome, Awaitable):
            return await outcome
        return outcome

    return respond


def by_type(table: Mapping[str, Responder], otherwise: Responder) -> Responder:
    """Pick the responder by query type (``{"TXT": servfail()}``), else ``otherwise``."""

    def respond(query: Query) -> Reply | Awaitable[Reply]:
        return table.get(query.qtype, otherwise)(query)

    return respond


def txt_strings(*strings: str) -> str:
    """TXT rdata text of several character-strings, each quoted (for 255-byte splits)."""
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)
