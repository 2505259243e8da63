"""Live bundles: a real HTTPS site on loopback serving a page, scripts and source maps."""

from __future__ import annotations

import json
import secrets
import ssl
import string
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from launchready.demo.credentials import STRIPE_LIVE_PREFIX
from launchready.manifest import Network
from launchready.net import HttpClient, HttpResponse, Resolver
from launchready.secrets import Scanner
from launchready.secrets.bundle import same_site, scan_url, script_urls, source_map_refs

SITE = "https://www.shop.test"


def stripe_key() -> str:
    """A key-shaped value made at runtime: no key literal lives in the source."""
    alphabet = string.ascii_letters + string.digits
    return STRIPE_LIVE_PREFIX + "".join(secrets.choice(alphabet) for _ in range(40))


@dataclass
class Site:
    port: int
    ca_path: Path
    hits: list[str]
    keys: dict[str, str]


def _app(hits: list[str], keys: dict[str, str], scripts: int) -> web.Application:
    extra = "".join(f'<script src="/static/n{i}.js"></script>' for i in range(scripts))
    page = (
        "<!doctype html><html><head>"
        '<script src="/static/app.js" defer></script>'
        '<link rel="modulepreload" href="/static/mod.js">'
        '<link rel="stylesheet" href="/static/app.css">'
        '<script src="https://cdn.other.test/lib.js"></script>'
        f"{extra}</head><body>"
        f'<script>window.cfg = {{ key: "{keys["inline"]}" }};</script>'
        "</body></html>"
    )
    source_map = {
        "version": 3,
        "sources": ["../src/config.js", "../src/cart.js"],
        "sourcesContent": [f'export const KEY = "{keys["map"]}";\n', "export const n = 1;\n"],
        "mappings": "AAAA",
    }
    files: dict[str, tuple[str, dict[str, str]]] = {
        "/": (page, {"Content-Type": "text/html"}),
        "/static/app.js": (
            f'var k = "{keys["bundle"]}";\n//# sourceMappingURL=app.js.map\n',
            {"Content-Type": "application/javascript"},
        ),
        "/static/app.js.map": (json.dumps(source_map), {"Content-Type": "application/json"}),
        "/static/mod.js": (
            "export const x = 1;\n",
            {"Content-Type": "application/javascript", "SourceMap": "/maps/mod.map"},
        ),
        "/maps/mod.map": (
            json.dumps({"version": 3, "sources": ["mod.ts"], "sourcesContent": [keys["header"]]}),
            {"Content-Type": "application/json"},
        ),
        "/lib.js": (f'var k = "{keys["cross"]}";\n', {"Content-Type": "application/javascript"}),
        "/static/big.js": ("x" * 4096 + f'"{keys["late"]}"\n', {}),
    }
    for i in range(scripts):
        files[f"/static/n{i}.js"] = ("var n = 1;\n", {})

    async def serve(request: web.Request) -> web.Response:
        hits.append(f"{request.host.split(':')[0]}{request.path}")
        if request.path == "/moved":
            raise web.HTTPFound("/")
        if request.path not in files:
            raise web.HTTPNotFound()
        body, headers = files[request.path]
        return web.Response(text=body, headers=headers)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    return app


async def _start(tmp_path: Path, scripts: int = 0) -> AsyncIterator[Site]:
    ca = trustme.CA()
    cert = ca.issue_cert("www.shop.test", "static.shop.test", "cdn.other.test")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    hits: list[str] = []
    keys = {name: stripe_key() for name in ("inline", "bundle", "map", "header", "cross", "late")}
    runner = web.AppRunner(_app(hits, keys, scripts), handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield Site(runner.addresses[0][1], ca_path, hits, keys)
    finally:
        await runner.cleanup()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async for lab in _start(tmp_path):
        yield lab


@pytest.fixture
async def crowded(tmp_path: Path) -> AsyncIterator[Site]:
    async for lab in _start(tmp_path, scripts=12):
        yield lab


def client(lab: Site) -> HttpClient:
    network = Network(
        resolve={
            f"{h}:443": f"127.0.0.1:{lab.port}"
            for h in ("www.shop.test", "static.shop.test", "cdn.other.test")
        }
    )
    return HttpClient(network, Resolver(network, timeout=5), ca_bundle=lab.ca_path, timeout=5)


async def test_page_scripts_and_source_maps_are_scanned(site: Site) -> None:
    async with client(site) as http:
        matches = await scan_url(http, f"{SITE}/", Scanner())
    found = {m.secret: m.path for m in matches}
    assert found[site.keys["inline"]] == f"{SITE}/"
    assert found[site.keys["bundle"]] == f"{SITE}/static/app.js"
    assert found[site.keys["map"]] == f"{SITE}/static/app.js.map#../src/config.js"
    assert found[site.keys["header"]] == f"{SITE}/maps/mod.map#mod.ts"
    assert site.keys["cross"] not in found


async def test_cross_site_scripts_are_never_fetched(site: Site) -> None:
    async with client(site) as http:
        await scan_url(http, f"{SITE}/", Scanner())
    assert not any(hit.startswith("cdn.other.test") for hit in site.hits)
    assert "www.shop.test/static/app.css" not in site.hits


async def test_redirect_to_the_page_is_followed(site: Site) -> None:
    async with client(site) as http:
        matches = await scan_url(http, f"{SITE}/moved", Scanner())
    assert site.keys["bundle"] in {m.secret for m in matches}


async def test_file_count_is_bounded(crowded: Site) -> None:
    async with client(crowded) as http:
        await scan_url(http, f"{SITE}/", Scanner(), max_files=3)
    fetched = [h for h in crowded.hits if h != "www.shop.test/"]
    assert len(fetched) == 3


async def test_size_is_bounded(site: Site) -> None:
    async with client(site) as http:
        response = await http.get(f"{SITE}/static/big.js")
        assert response.status == 200
        scanner = Scanner()
        whole = await scan_url(http, f"{SITE}/static/big.js", scanner)
        cut = await scan_url(http, f"{SITE}/static/big.js", scanner, max_bytes=1024)
    assert site.keys["late"] in {m.secret for m in whole}
    assert cut == []


async def test_a_page_that_never_answers_yields_nothing(site: Site) -> None:
    async with client(site) as http:
        assert await scan_url(http, f"{SITE}/missing", Scanner()) == []


def test_script_discovery_reads_src_modulepreload_and_preload_as_script() -> None:
    html = (
        b'<script src="a.js#x"></script><link rel="preload" as="script" href="/b.js">'
        b'<link rel="preload" as="style" href="/c.css"><link rel="modulepreload" href="d.js">'
        b'<script src="data:text/javascript,1"></script><script>inline()</script>'
    )
    assert script_urls(html, f"{SITE}/shop/") == [
        f"{SITE}/shop/a.js",
        f"{SITE}/b.js",
        f"{SITE}/shop/d.js",
    ]


def test_inline_data_source_maps_are_decoded() -> None:
    body = b"x();\n//# sourceMappingURL=data:application/json;base64,eyJhIjoxfQ==\n"
    response = HttpResponse("GET", f"{SITE}/app.js", 200, body=body)
    inline, linked = source_map_refs(response)
    assert inline == [(b'{"a":1}', f"{SITE}/app.js#inline-source-map")]
    assert linked == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://static.shop.test/a.js", True),
        ("https://shop.test/a.js", True),
        ("https://cdn.other.test/a.js", False),
        ("https://shop.test.evil.test/a.js", False),
        ("https://127.0.0.1/a.js", False),
    ],
)
def test_same_site(url: str, expected: bool) -> None:
    assert same_site(url, f"{SITE}/") is expected
