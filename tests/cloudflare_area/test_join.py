"""One problem, one finding: a host the zone keeps DNS-only and that the edge area sees
answering without the CDN (a real nginx, a loopback DNS server) is reported once, as
``cloudflare.record-not-proxied`` carrying both views; a DNS-only record pointing at the
origin strengthens ``edge.origin-exposed``. The Cloudflare API is the local fake (it
cannot run here; see zones.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready.catalog import finding
from launchready.checks import select_areas
from launchready.cloudflare.join import join_edge
from launchready.demo.cfapi import FakeCloudflare, FakeToken, FakeZone, cloudflare_api_app
from launchready.manifest import load_manifest
from launchready.runner import AuditOptions, run_audit
from tests.checks.test_edge import HOST, lab
from tests.cloudflare_area.zones import CLEAN_SETTINGS, TOKEN
from tests.labserver import serve

ORIGIN = "127.0.0.2"
RULE = {
    "action": "block",
    "description": "login",
    "expression": 'http.request.uri.path eq "/login"',
}


def test_the_join_keeps_one_finding_per_host_and_leaves_the_rest() -> None:
    not_proxied = finding(
        "cloudflare.record-not-proxied",
        target="www.shop.test",
        evidence={"records": [{"type": "A", "content": "10.0.0.1"}], "points_at_origin": True},
    )
    outside = finding("edge.no-cdn", target="www.shop.test", evidence={"cdn": "cloudflare"})
    elsewhere = finding("edge.no-cdn", target="img.shop.test", evidence={"cdn": "cloudflare"})
    origin = finding("edge.origin-exposed", target="10.0.0.1", evidence={"how": "dns"})
    joined = join_edge([not_proxied, outside, elsewhere, origin])
    assert [(f.id, f.target) for f in joined] == [
        ("cloudflare.record-not-proxied", "www.shop.test"),
        ("edge.no-cdn", "img.shop.test"),
        ("edge.origin-exposed", "10.0.0.1"),
    ]
    assert joined[0].evidence["seen_from_outside"] == {"cdn": "cloudflare"}
    assert joined[2].evidence["cloudflare_dns_only"] == [{"host": "www.shop.test", "type": "A"}]
    assert join_edge([outside, origin]) == [outside, origin]  # no zone view: untouched


async def test_the_audit_reports_an_unproxied_host_once_with_both_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CF_TEST_TOKEN", TOKEN)
    zone = FakeZone(
        "shop.test",
        settings=dict(CLEAN_SETTINGS),
        records=[{"type": "A", "name": HOST, "content": ORIGIN, "proxied": False}],
        ratelimit_rules=[RULE],
    )
    api = FakeCloudflare([zone], [FakeToken(TOKEN)])
    served = "location / { return 200 'origin'; }"
    async with (
        serve(cloudflare_api_app(api)) as origin,
        lab(tmp_path, cdn_name="cloudflare", origin=ORIGIN, origin_block=served) as path,
    ):
        with path.open("a") as manifest:
            manifest.write(
                "cloudflare:\n  zone: shop.test\n  token: ${CF_TEST_TOKEN}\n"
                f"  api_base: {origin}/client/v4\n"
            )
        report = await run_audit(
            load_manifest(path),
            AuditOptions(timeout=3.0),
            areas=select_areas({"edge", "cloudflare"}),
        )
    found = {(f.id, f.target): f for f in report.findings}
    assert set(found) == {
        ("cloudflare.record-not-proxied", HOST),
        ("edge.origin-exposed", ORIGIN),
    }
    joined = found[("cloudflare.record-not-proxied", HOST)]
    assert joined.evidence["seen_from_outside"]["cdn"] == "cloudflare"  # type: ignore[index]
    exposed = found[("edge.origin-exposed", ORIGIN)]
    assert exposed.evidence["cloudflare_dns_only"] == [{"host": HOST, "type": "A"}]
