"""``launchready init`` with ``CLOUDFLARE_API_TOKEN``: the zone's proxied names fill
``site.hosts``, the CDN is Cloudflare, and a ``cloudflare`` section names the token without
its value; a refused token or an unknown zone is a warning and init goes on.

The Cloudflare API cannot run here, so these tests serve a local fake of the few endpoints
init reads (``launchready.demo.cfapi``), written from Cloudflare's published API schema;
the official SDK reads it over real HTTP on loopback. The end-to-end tests use the demo
store's own instance of that fake, beside its DNS and HTTPS servers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio

from launchready.cloudflare.read import ZoneUnreadable
from launchready.demo.cfapi import FakeCloudflare, FakeToken, FakeZone, cloudflare_api_app
from launchready.errors import InputError
from launchready.manifest import load_manifest
from launchready.manifest.loader import parse_manifest
from launchready.manifest.models import Network
from launchready.onboard.cloudflare import merge, read_for_init, section, zone_found
from launchready.onboard.discover import Discovery
from launchready.onboard.writer import manifest_text
from tests.cli.test_init_cli import network_flags
from tests.conftest import CliRun
from tests.labserver import serve

DOMAIN = "shop.test"
TOKEN = "cf-init-token-0123456789abcdefABCDEF"
TIMEOUT_S = 5.0
RECORDS = [
    {"type": "A", "name": DOMAIN, "content": "104.16.1.1", "proxied": True},
    {"type": "CNAME", "name": f"www.{DOMAIN}", "content": DOMAIN, "proxied": True},
    {"type": "AAAA", "name": f"api.{DOMAIN}", "content": "2606:4700::1", "proxied": True},
    {"type": "CNAME", "name": f"img.{DOMAIN}", "content": "cdn.example.net", "proxied": True},
    {"type": "A", "name": f"staging.{DOMAIN}", "content": "104.16.1.9", "proxied": True},
    {"type": "A", "name": f"*.{DOMAIN}", "content": "104.16.1.1", "proxied": True},
    {"type": "A", "name": f"mail.{DOMAIN}", "content": "198.51.100.25", "proxied": False},
    {"type": "MX", "name": DOMAIN, "content": f"mail.{DOMAIN}", "priority": 10},
    {"type": "TXT", "name": DOMAIN, "content": "v=spf1 mx -all"},
]


class Lab:
    def __init__(self, api: FakeCloudflare, base: str) -> None:
        self.api = api
        self.base = base

    async def read(self, domain: str = DOMAIN, token: str = TOKEN) -> Discovery:
        found = Discovery(domain, hosts={f"www.{domain}": "storefront"})
        merge(found, await read_for_init(domain, token, self.base, TIMEOUT_S, None))
        return found


@pytest_asyncio.fixture
async def lab() -> AsyncIterator[Lab]:
    zone = FakeZone(DOMAIN, settings={"ssl": "full"}, records=[dict(r) for r in RECORDS])
    api = FakeCloudflare([zone], [FakeToken(TOKEN)])
    async with serve(cloudflare_api_app(api)) as origin:
        yield Lab(api, f"{origin}/client/v4")


async def test_proxied_names_become_hosts_and_the_cdn_is_cloudflare(lab: Lab) -> None:
    found = await lab.read()
    assert found.hosts == {
        f"www.{DOMAIN}": "storefront",
        f"api.{DOMAIN}": "api",
        f"img.{DOMAIN}": "other",  # a name DNS discovery would never guess
    }
    assert found.staging == [f"staging.{DOMAIN}"]  # proxied, but never a production host
    assert found.cdn == "cloudflare"
    assert found.cloudflare is not None and found.cloudflare.ssl == "full"
    assert f"mail.{DOMAIN}" not in found.hosts  # DNS-only
    assert {m for m, _ in lab.api.seen} == {"GET"}


async def test_the_manifest_names_the_token_never_its_value(lab: Lab) -> None:
    found = await lab.read()
    text = manifest_text(found, Network(), date(2026, 11, 1))
    assert TOKEN not in text
    assert 'token: "${CLOUDFLARE_API_TOKEN}"' in text
    manifest = parse_manifest(text, Path("launchready.yaml"), {"CLOUDFLARE_API_TOKEN": TOKEN})
    assert manifest.cloudflare is not None
    assert manifest.cloudflare.zone == DOMAIN
    assert manifest.cloudflare.api_base == lab.base
    assert manifest.site.cdn == "cloudflare"
    assert {h.name: h.role for h in manifest.site.hosts}[f"img.{DOMAIN}"] == "other"
    assert manifest.secret_values == {TOKEN: "CLOUDFLARE_API_TOKEN"}


async def test_every_page_of_records_is_read(lab: Lab) -> None:
    lab.api.zones[0].records = [
        {"type": "A", "name": f"h{n:03d}.{DOMAIN}", "content": "104.16.2.1", "proxied": True}
        for n in range(230)
    ]
    found = await lab.read()
    assert found.cloudflare is not None and len(found.cloudflare.proxied) == 230
    assert len(found.hosts) == 231 and found.hosts[f"h229.{DOMAIN}"] == "other"
    pages = [path for _, path in lab.api.seen if path.endswith("/dns_records")]
    assert len(pages) >= 3


async def test_a_refused_token_and_an_unknown_zone_are_unreadable(lab: Lab) -> None:
    with pytest.raises(ZoneUnreadable, match="rejects the token") as refused:
        await lab.read(token="not-the-token")
    assert refused.value.status == 401
    with pytest.raises(ZoneUnreadable, match=r"no zone named other\.test"):
        await lab.read("other.test")


async def test_a_zone_with_nothing_proxied_leaves_the_cdn_alone(lab: Lab) -> None:
    for record in lab.api.zones[0].records:
        record["proxied"] = False
    found = await lab.read()
    assert found.cdn == "none" and found.hosts == {f"www.{DOMAIN}": "storefront"}
    assert any("no record of the Cloudflare zone" in note for note in found.notes)
    text = manifest_text(found, Network(), date(2026, 11, 1))
    assert "cloudflare:" in text and "cdn: none" in text


def test_cloudflares_own_api_base_is_not_written() -> None:
    from launchready.cloudflare.read import Zone

    found = Discovery(DOMAIN)
    merge(found, zone_found(DOMAIN, Zone(DOMAIN, "id", {}, (), ()), None))
    text = manifest_text(found, Network(), date(2026, 11, 1))
    assert "api_base" not in text
    with pytest.raises(InputError, match="CLOUDFLARE_API_BASE"):
        section(DOMAIN, TOKEN, "not a url")


def _demo_token(flawed: Path) -> str:
    text = (flawed.parent / "demo.env").read_text()
    return next(line.split("=", 1)[1] for line in text.splitlines() if line and line[0] != "#")


def _demo_api(flawed: Path) -> str:
    manifest = load_manifest(flawed, environ={"LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN": "unused"})
    assert manifest.cloudflare is not None
    return manifest.cloudflare.api_base


def test_init_reads_the_demo_zone_and_its_audit_finds_the_zone_flaw(
    cli: CliRun, flawed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "launchready.yaml"
    env = {"CLOUDFLARE_API_TOKEN": _demo_token(flawed), "CLOUDFLARE_API_BASE": _demo_api(flawed)}
    result = cli("init", "demo-candles.test", "-m", out, *network_flags(flawed), env=env)
    assert result.returncode == 0, result.stderr
    assert "Cloudflare zone demo-candles.test: SSL strict" in result.stderr
    text = out.read_text()
    assert env["CLOUDFLARE_API_TOKEN"] not in text + result.stderr
    assert "- {name: www.demo-candles.test, role: storefront}   # proxied by Cloudflare" in text
    manifest = load_manifest(out, environ=env)
    assert manifest.site.cdn == "cloudflare"
    assert manifest.cloudflare is not None
    assert manifest.cloudflare.api_base == env["CLOUDFLARE_API_BASE"]
    audit = cli("audit", "-m", out, "--only", "cloudflare", "--format", "json", env=env)
    assert "cloudflare.dev-mode-on" in audit.stdout, audit.stderr
    assert env["CLOUDFLARE_API_TOKEN"] not in audit.stdout + audit.stderr


@pytest.mark.parametrize(
    ("domain", "token", "why"),
    [
        ("demo-candles.test", "not-the-demo-token", "the API rejects the token"),
        ("nothing-here.test", None, "the token sees no zone named nothing-here.test"),
    ],
)
def test_a_zone_init_cannot_read_is_a_warning(
    cli: CliRun, flawed: Path, tmp_path: Path, domain: str, token: str | None, why: str
) -> None:
    out = tmp_path / "launchready.yaml"
    env = {
        "CLOUDFLARE_API_TOKEN": token or _demo_token(flawed),
        "CLOUDFLARE_API_BASE": _demo_api(flawed),
    }
    result = cli("init", domain, "-m", out, *network_flags(flawed), "--timeout", "2s", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        f"launchready: warning: the Cloudflare zone {domain} was not read ({why}" in result.stderr
    )
    assert "cloudflare:" not in out.read_text()
    assert load_manifest(out, environ={}).cloudflare is None
    assert env["CLOUDFLARE_API_TOKEN"] not in result.stderr


def test_a_bad_api_base_is_exit_2(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "launchready.yaml"
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_API_BASE": "api.cloudflare.com"}
    result = cli("init", DOMAIN, "-m", out, env=env)
    assert result.returncode == 2 and "CLOUDFLARE_API_BASE" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
