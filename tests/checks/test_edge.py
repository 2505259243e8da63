"""The edge area against a real nginx (and a loopback DNS server for the CDN checks)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from launchready.checks import edge
from launchready.checks.edge import cdn
from launchready.findings import Finding
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.dnslab.hostile import HostileServer
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx

HOST = "www.shop.test"
BIG = "x" * 3000
PAGE = f'<html><head><link rel=stylesheet href="/s/app.css"></head><body>{BIG}</body></html>'
GZIP = "gzip on; gzip_min_length 256; gzip_types text/css application/javascript;"
STATIC_OK = 'location /s/ {{ add_header Cache-Control "public, max-age=31536000, immutable"; '
STATIC_OK += "alias {html}/; }}"
CART = 'location /cart {{ add_header Set-Cookie "sid=1; Secure; HttpOnly; SameSite=Lax"; '
CART += 'add_header Cache-Control "{cc}"; return 200 "cart"; }}'
LOGIN = "location /login {{ return 200 'ok'; }}"
MANIFEST = """\
version: 1
site: {{domain: shop.test, canonical: "https://{host}/", cdn: {cdn}, origin_ips: [{origin}]}}
routes:
  - {{name: cart, url: "https://{host}/cart"}}
  - {{name: login, url: "https://{host}/login", method: POST, form: {{u: a}}, rate_limited: true}}
network:
  nameservers: ["{ns}"]
  resolve: {{"{host}:443": "127.0.0.1:{port}"}}
  ca_bundle: {ca}
"""


@asynccontextmanager
async def lab(
    tmp_path: Path,
    *,
    extra: str = "",
    static: str = STATIC_OK,
    cart_cc: str = "private, no-store",
    http_extra: str = GZIP,
    cdn_name: str = "none",
    origin: str = "127.0.0.2",
    origin_block: str = "return 403;",
    zone: str = "www A 127.0.0.1",
    login: str = LOGIN,
) -> AsyncIterator[Path]:
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    cert = ca.leaf(HOST)
    html = tmp_path / "nginx" / "html"
    html.mkdir(parents=True)
    (html / "app.css").write_text("body { color: red; }\n" * 100)
    port, origin_port = free_port(), free_port(origin)
    tls = f"ssl; ssl_certificate {cert.cert}; ssl_certificate_key {cert.key};"
    servers = f"""
        server {{ listen 127.0.0.1:{port} {tls} server_name {HOST}; {extra}
          location = / {{ default_type text/html; return 200 '{PAGE}'; }}
          {static.format(html=html)} {CART.format(cc=cart_cc)} {login.format(html=html)} }}
        server {{ listen {origin}:{origin_port} {tls} server_name {HOST}; {origin_block} }}
    """
    async with HostileServer(f"@ NS ns1\nns1 A 127.0.0.53\n{zone}\n") as dns:
        manifest = tmp_path / "launchready.yaml"
        text = MANIFEST.format(
            host=HOST, cdn=cdn_name, origin=origin, ns=dns.nameserver, port=port, ca=ca.bundle
        )
        manifest.write_text(text)
        with NginxServer(tmp_path / "nginx", servers, http_extra):
            cdn.ORIGIN_PORT = origin_port
            try:
                yield manifest
            finally:
                cdn.ORIGIN_PORT = 443


async def audit(manifest: Path, *, probe: bool = False) -> list[Finding]:
    loaded = load_manifest(manifest)
    async with check_context(loaded) as ctx:
        return await edge.run(dataclasses.replace(ctx, probe_rate_limits=probe))


def ids(findings: list[Finding]) -> set[str]:
    return {f.id for f in findings}


async def test_a_well_configured_edge_is_clean(tmp_path: Path) -> None:
    async with lab(tmp_path) as manifest:
        assert await audit(manifest) == []


async def test_uncached_static_files(tmp_path: Path) -> None:
    async with lab(tmp_path, static="location /s/ {{ alias {html}/; }}") as manifest:
        found = await audit(manifest)
    assert ids(found) == {"edge.static-not-cached"}
    assert found[0].evidence["files"] == [
        {"url": f"https://{HOST}/s/app.css", "cache_control": "(none)"}
    ]


async def test_short_or_private_cache_is_not_cached(tmp_path: Path) -> None:
    static = 'location /s/ {{ add_header Cache-Control "public, max-age=600"; alias {html}/; }}'
    async with lab(tmp_path, static=static) as manifest:
        assert ids(await audit(manifest)) == {"edge.static-not-cached"}


async def test_uncompressed_text(tmp_path: Path) -> None:
    async with lab(tmp_path, http_extra="gzip off;") as manifest:
        found = await audit(manifest)
    assert ids(found) == {"edge.no-compression"}
    assert found[0].evidence["total"] == 2  # the page and the stylesheet


@pytest.mark.parametrize("cc", ["public, max-age=300", "s-maxage=60"])
async def test_a_cookie_page_in_a_shared_cache(tmp_path: Path, cc: str) -> None:
    async with lab(tmp_path, cart_cc=cc) as manifest:
        found = await audit(manifest)
    assert ids(found) == {"edge.private-cached"}
    assert found[0].target == f"https://{HOST}/cart"


async def test_cloudflare_missing_and_origin_answering(tmp_path: Path) -> None:
    async with lab(
        tmp_path, cdn_name="cloudflare", origin_block="location / { return 200 'origin'; }"
    ) as manifest:
        found = await audit(manifest)
    assert ids(found) == {"edge.no-cdn", "edge.origin-exposed"}
    exposed = next(f for f in found if f.id == "edge.origin-exposed")
    assert exposed.evidence == {"how": "direct", "host": HOST, "status": 200}


async def test_cloudflare_in_front_and_origin_locked(tmp_path: Path) -> None:
    async with lab(tmp_path, cdn_name="cloudflare", extra="add_header cf-ray 8a1b-AMS;") as m:
        assert await audit(m) == []


async def test_cloudflare_by_its_published_range(tmp_path: Path) -> None:
    async with lab(tmp_path, cdn_name="cloudflare", zone="www A 104.16.1.1") as manifest:
        assert await audit(manifest) == []


async def test_origin_in_public_dns(tmp_path: Path) -> None:
    zone = "www A 127.0.0.2"
    extra = "add_header cf-ray 8a1b-AMS;"
    async with lab(tmp_path, cdn_name="cloudflare", zone=zone, extra=extra) as manifest:
        found = await audit(manifest)
    assert ids(found) == {"edge.origin-exposed"}
    assert (found[0].target, found[0].evidence) == ("127.0.0.2", {"how": "dns", "host": HOST})


async def test_other_cdn_by_headers(tmp_path: Path) -> None:
    async with lab(tmp_path, cdn_name="other", extra="add_header X-Served-By cache-ams1;") as m:
        assert await audit(m) == []
    async with lab(tmp_path / "2", cdn_name="other") as manifest:
        assert ids(await audit(manifest)) == {"edge.no-cdn"}


async def test_no_rate_limit_only_when_probing(tmp_path: Path) -> None:
    async with lab(tmp_path) as manifest:
        assert await audit(manifest) == []
        found = await audit(manifest, probe=True)
    assert ids(found) == {"edge.no-rate-limit"}
    assert found[0].evidence["route"] == "login"
    assert found[0].evidence["requests"] == 30


async def test_a_rate_limit_that_answers_429(tmp_path: Path) -> None:
    limit = "limit_req_zone $binary_remote_addr zone=login:1m rate=1r/s; limit_req_status 429;"
    # limit_req runs after nginx's rewrite phase, so the location serves content instead
    # of `return`-ing (a POST to a static file is a 405, until the limit answers 429).
    login = "location /login {{ limit_req zone=login burst=2 nodelay; root {html}; }}"
    async with lab(tmp_path, http_extra=GZIP + limit, login=login) as manifest:
        assert await audit(manifest, probe=True) == []
