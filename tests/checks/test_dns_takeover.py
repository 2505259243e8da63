"""Dangling CNAMEs into hosting services, judged by the page on the store's own hostname.

Knot serves the shop's zone and stand-ins for the providers' zones (every address is
loopback); a real aiohttp server under a trustme CA plays each provider's answer for the
store's hostnames, reached through ``network.resolve`` exactly as an audit would.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from launchready.checks import dns as area
from launchready.checks.dns import takeover
from launchready.checks.dns.survey import Plan
from launchready.findings import Finding
from launchready.manifest import Manifest, parse_manifest
from tests.checks.support import check_context
from tests.dnslab.knot import KnotServer, require_knot

SHOP = """
@ NS ns1
@ NS ns2
ns1 A 127.0.0.53
ns2 A 127.0.1.53
@ A 127.0.0.10
www A 127.0.0.10
@ CAA 0 issue "letsencrypt.org"
@ DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=
blog CNAME old-shop.myshopify.com.
docs CNAME shop-docs.netlify.app.
summer2023 CNAME summer2023-campaign
"""
PROVIDERS = {
    "myshopify.com": "@ NS ns1.shop.test.\nold-shop A 127.0.0.77\n",
    "netlify.app": "@ NS ns1.shop.test.\nshop-docs A 127.0.0.77\n",
}
HOSTS = ("www.shop.test", "blog.shop.test", "docs.shop.test")
SHOPIFY_GONE = "<h1>Sorry, this shop is currently unavailable.</h1>"


@dataclass
class Web:
    """What each hostname's page says; tests change it before auditing."""

    pages: dict[str, tuple[int, str, dict[str, str]]] = field(default_factory=dict)
    ca_path: Path = Path()
    ports: tuple[int, int] = (0, 0)

    def page(self, host: str, body: str, status: int = 200, **headers: str) -> None:
        self.pages[host] = (status, body, headers)


@pytest.fixture(scope="module")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    require_knot()
    with KnotServer(tmp_path_factory.mktemp("knot"), {"shop.test": SHOP, **PROVIDERS}) as server:
        yield server


@pytest.fixture
async def web_lab(tmp_path: Path) -> AsyncIterator[Web]:
    lab = Web()
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*HOSTS).configure_cert(context)
    lab.ca_path = tmp_path / "lab-ca.pem"
    ca.cert_pem.write_to_path(str(lab.ca_path))

    async def serve(request: web.Request) -> web.Response:
        status, body, headers = lab.pages.get(request.host.split(":")[0], (404, "", {}))
        return web.Response(status=status, text=body, content_type="text/html", headers=headers)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    secure = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    plain = web.TCPSite(runner, "127.0.0.1", 0)
    await secure.start()
    await plain.start()
    ports = [address[1] for address in runner.addresses]
    lab.ports = (ports[0], ports[1])
    try:
        yield lab
    finally:
        await runner.cleanup()


def manifest(knot: KnotServer, lab: Web) -> Manifest:
    https, http = lab.ports
    resolve = "\n".join(
        f'    "{host}:443": "127.0.0.1:{https}"\n    "{host}:80": "127.0.0.1:{http}"'
        for host in HOSTS
    )
    text = f"""
site:
  domain: shop.test
  canonical: https://www.shop.test
  hosts: [{{name: www.shop.test, role: storefront}}]
  origin_ips: [127.0.0.10]
network:
  nameservers: ["{knot.nameserver}"]
  ca_bundle: {lab.ca_path}
  resolve:
{resolve}
"""
    return parse_manifest(text, Path("launchready.yaml"), {})


async def audit(knot: KnotServer, lab: Web) -> list[Finding]:
    async with check_context(manifest(knot, lab)) as ctx:
        return await area.run(ctx)


def by_target(found: list[Finding]) -> dict[str, Finding]:
    assert {f.id for f in found} <= {"dns.dangling-cname"}, [(f.id, f.target) for f in found]
    return {f.target: f for f in found}


@pytest.mark.parametrize(
    ("host", "body", "headers", "service"),
    [
        ("blog.shop.test", SHOPIFY_GONE, {}, "Shopify"),
        ("blog.shop.test", "<h1>Our candle blog</h1>", {}, None),
        ("docs.shop.test", "Not Found - Request ID: 01HX", {"Server": "Netlify"}, "Netlify"),
        ("docs.shop.test", "Not Found - Request ID: 01HX", {"Server": "nginx"}, None),
        ("docs.shop.test", "<h1>Docs</h1>", {"Server": "Netlify"}, None),
    ],
    ids=["shopify-unclaimed", "shopify-live", "netlify-unclaimed", "not-netlify", "netlify-live"],
)
async def test_a_service_page_saying_unclaimed_is_a_dangling_cname(
    knot: KnotServer,
    web_lab: Web,
    host: str,
    body: str,
    headers: dict[str, str],
    service: str | None,
) -> None:
    web_lab.page(host, body, 404 if service else 200, **headers)
    web_lab.page("www.shop.test", "<h1>Candles</h1>")
    found = by_target(await audit(knot, web_lab))
    if service is None:
        assert host not in found
        return
    item = found[host]
    assert item.evidence["service"] == service
    assert item.evidence["cname"] in ("old-shop.myshopify.com", "shop-docs.netlify.app")
    assert item.evidence["url"] in (f"http://{host}/", f"https://{host}/")


async def test_a_hostname_linked_from_the_home_page_is_checked(
    knot: KnotServer, web_lab: Web
) -> None:
    web_lab.page("www.shop.test", '<a href="https://summer2023.shop.test/sale">Sale</a>')
    found = by_target(await audit(knot, web_lab))
    item = found["summer2023.shop.test"]
    assert item.evidence == {
        "cname": "summer2023-campaign.shop.test",
        "missing": "summer2023-campaign.shop.test",
        "answer": "NXDOMAIN",
    }


async def test_an_unlinked_uncommon_name_is_not_guessed(knot: KnotServer, web_lab: Web) -> None:
    web_lab.page("www.shop.test", "<p>no campaign links any more</p>")
    assert "summer2023.shop.test" not in by_target(await audit(knot, web_lab))


async def test_links_are_bounded_and_filtered(knot: KnotServer, web_lab: Web) -> None:
    links = [f'<a href="https://c{i}.shop.test/">x</a>' for i in range(2000)]
    links += [
        '<a href="https://elsewhere.example/">off-site</a>',
        '<img src="//cdn.shop.test/i.png">',
        '<a href="javascript:alert(1)">js</a>',
        '<a href="https://bad_host..shop.test/">bad</a>',
        '<a href="http://[::1">broken</a>',
    ]
    web_lab.page("www.shop.test", "".join(reversed(links)))
    async with check_context(manifest(knot, web_lab)) as ctx:
        linked = await takeover.linked_hosts(ctx, Plan.of(ctx.manifest))
    assert len(linked) == takeover.MAX_LINKED
    assert linked[0] == "cdn.shop.test"
    assert all(name.endswith(".shop.test") for name in linked)


async def test_the_home_page_redirect_is_followed_within_the_site(
    knot: KnotServer, web_lab: Web
) -> None:
    web_lab.page("www.shop.test", "", 301, Location="https://www.shop.test/en/")
    async with check_context(manifest(knot, web_lab)) as ctx:
        assert await takeover.linked_hosts(ctx, Plan.of(ctx.manifest)) == []


def test_common_labels_cover_the_campaign_names() -> None:
    assert {"promo", "shop", "store", "blog", "old", "www2", "dev", "test", "beta"} <= set(
        takeover.COMMON_LABELS
    )
    assert {"status", "help", "mail"} <= set(takeover.COMMON_LABELS)
