"""A lab of N store domains on an authoritative DNS server that answers after a fixed delay.

Used by the DNS and email benchmarks: the delay stands in for the round trip to a real
authoritative server, so the figure measures how well a tool overlaps its lookups, not how
fast loopback is. The answers come from the demo's own authoritative server code.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
from dataclasses import dataclass

import dns.zone
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from launchready.demo.dns_server import Authority

PROVIDERS = {
    # A provider include that itself includes two more (a realistic three-level tree).
    "_spf.mailhost.test": "v=spf1 include:_a.mailhost.test include:_b.mailhost.test ~all",
    "_a.mailhost.test": "v=spf1 ip4:127.64.0.0/16 ~all",
    "_b.mailhost.test": "v=spf1 ip4:127.65.0.0/16 ~all",
    "sendgrid.test": "v=spf1 ip4:127.66.0.0/16 ~all",
}


def store_zone(domain: str, dkim_key: str) -> str:
    """The records of one lab store: a correct, typical small-store setup."""
    return f"""
$ORIGIN {domain}.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
@ NS ns2.backup.test.
ns1 A 127.0.0.53
@ A 127.0.0.10
www CNAME @
api A 127.0.0.10
@ MX 10 mx1
mx1 A 127.0.0.25
@ TXT "v=spf1 include:_spf.mailhost.test include:sendgrid.test -all"
_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}"
s1._domainkey TXT {_txt("v=DKIM1; k=rsa; p=" + dkim_key)}
@ CAA 0 issue "letsencrypt.org"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{domain}"
"""


def _txt(text: str) -> str:
    """A TXT value split into quoted strings of at most 255 bytes (RFC 1035 3.3.14)."""
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def provider_zone() -> str:
    lines = [
        "$ORIGIN test.",
        "$TTL 300",
        "@ SOA ns1 hostmaster 1 3600 600 86400 300",
        "@ NS ns1",
        "ns1 A 127.0.0.53",
        "ns2.backup A 127.0.1.53",
    ]
    lines += [f'{name.removesuffix(".test")} TXT "{text}"' for name, text in PROVIDERS.items()]
    return "\n".join(lines) + "\n"


def lab_domains(count: int) -> list[str]:
    return [f"store{i:03d}.lab.test" for i in range(count)]


def dkim_public_key() -> str:
    """A real 2048-bit RSA public key, base64 DER, as a DKIM record's p= carries it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def build_authority(domains: list[str]) -> Authority:
    key = dkim_public_key()
    zones = [dns.zone.from_text(store_zone(d, key), origin=d, relativize=False) for d in domains]
    zones.append(dns.zone.from_text(provider_zone(), origin="test", relativize=False))
    return Authority(zones)


class _DelayedUdp(asyncio.DatagramProtocol):
    def __init__(self, authority: Authority, delay: float) -> None:
        self._authority = authority
        self._delay = delay
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        reply = self._authority.respond(data, tcp=False)
        if reply is not None and self._transport is not None:
            transport = self._transport
            asyncio.get_running_loop().call_later(self._delay, transport.sendto, reply, addr)


@dataclass
class LabServer:
    host: str
    port: int
    transport: asyncio.DatagramTransport
    tcp: asyncio.Server

    async def close(self) -> None:
        self.transport.close()
        self.tcp.close()
        await self.tcp.wait_closed()


async def start_lab(
    domains: list[str], *, host: str = "127.0.0.1", port: int = 53, delay: float = 0.030
) -> LabServer:
    """Serve the lab over UDP and TCP on host:port, answering after ``delay`` seconds."""
    loop = asyncio.get_running_loop()
    authority = build_authority(domains)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)  # bursts of thousands
    sock.bind((host, port))
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _DelayedUdp(authority, delay), sock=sock
    )

    async def serve_tcp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(2), "big")
                reply = authority.respond(await reader.readexactly(size), tcp=True)
                await asyncio.sleep(delay)
                if reply is None:
                    break
                writer.write(len(reply).to_bytes(2, "big") + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    tcp = await asyncio.start_server(serve_tcp, host, sock.getsockname()[1], reuse_address=True)
    return LabServer(host, sock.getsockname()[1], transport, tcp)  # type: ignore[arg-type]


class LabThread:
    """The lab on its own thread and event loop, so a busy client loop in the same process
    (launchready auditing a hundred stores) cannot starve it into dropping datagrams."""

    def __init__(self, domains: list[str], *, port: int = 53, delay: float = 0.030) -> None:
        self._domains, self._port, self._delay = domains, port, delay
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labdns", daemon=True)
        self.server: LabServer | None = None

    def __enter__(self) -> LabServer:
        self._thread.start()
        self._ready.wait(30)
        assert self.server is not None, "the lab DNS server did not start"
        return self.server

    def __exit__(self, *exc_info: object) -> None:
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self.server = self._loop.run_until_complete(
                start_lab(self._domains, port=self._port, delay=self._delay)
            )
        finally:
            self._ready.set()
        self._loop.run_forever()
        self._loop.close()
