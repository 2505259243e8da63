"""Hostile pages: a 50 MB document and an endless body must not exhaust memory or hang."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import tracemalloc
from pathlib import Path

from launchready.checks import edge, web
from launchready.findings import Finding
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx

HOST = "www.shop.test"
MANIFEST = """\
version: 1
site: {{domain: shop.test, canonical: "https://{host}/big.html"}}
network:
  resolve: {{"{host}:443": "127.0.0.1:{port}"}}
  ca_bundle: {ca}
"""
PEAK_LIMIT = 120 * 1024 * 1024


async def both_areas(manifest: Path) -> tuple[list[Finding], int]:
    """Findings of web and edge together, and the peak of Python allocations meanwhile."""
    loaded = load_manifest(manifest)
    tracemalloc.start()
    try:
        async with check_context(loaded, op_timeout=5.0) as ctx:
            found = await asyncio.wait_for(web.run(ctx), 30) + await edge.run(ctx)
        return found, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_a_50_mb_page_is_read_up_to_the_cap(tmp_path: Path) -> None:
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    cert = ca.leaf(HOST)
    html = tmp_path / "nginx" / "html"
    html.mkdir(parents=True)
    with (html / "big.html").open("w") as out:
        out.write('<html><body><img src="http://cdn.shop.test/a.png">')
        chunk = "<p>" + "candle " * 1000 + "</p>\n"
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            out.write(chunk)
    port = free_port()
    servers = f"""server {{ listen 127.0.0.1:{port} ssl; server_name {HOST};
        ssl_certificate {cert.cert}; ssl_certificate_key {cert.key}; root {html}; }}"""
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(MANIFEST.format(host=HOST, port=port, ca=ca.bundle))
    with NginxServer(tmp_path / "nginx", servers):
        found, peak = await both_areas(manifest)
    assert {"web.mixed-content", "web.headers-missing"} <= {f.id for f in found}
    assert peak < PEAK_LIMIT


async def test_an_endless_body_becomes_findings_or_an_error(tmp_path: Path) -> None:
    ca = LabCA(tmp_path / "ca")
    cert = ca.leaf(HOST)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert.cert), str(cert.key))

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            block = b"<p>" + b"x" * 60_000 + b"</p>"
            line = f"{len(block):x}\r\n".encode() + block + b"\r\n"
            while True:
                writer.write(line)
                await writer.drain()

    server = await asyncio.start_server(endless, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(MANIFEST.format(host=HOST, port=port, ca=ca.bundle))
    async with server:
        found, peak = await both_areas(manifest)
    assert "web.headers-missing" in {f.id for f in found}
    assert peak < PEAK_LIMIT
