"""The launch gate and the monitor prerequisites: each ID fires when it should, and only then."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from launchready.checks import launch, monitor
from launchready.findings import Severity
from launchready.manifest import load_manifest

READY = """
site:
  domain: shop.test
  cdn: cloudflare
routes:
  - {name: home, url: "https://www.shop.test/"}
  - {name: cart, url: "https://www.shop.test/cart", checkout: true}
  - {name: health, url: "https://api.shop.test/healthz", health: true}
monitor:
  notify: ["mailto://founder@shop.test"]
owners:
  registrar: {provider: Namecheap, owner: founder@shop.test}
  dns: {provider: Cloudflare, owner: founder@shop.test}
  cdn: {provider: Cloudflare, owner: founder@shop.test}
  hosting: {provider: Fly.io, owner: founder@shop.test}
  email: {provider: Google Workspace, owner: founder@shop.test}
  deploy: {provider: GitHub Actions, owner: founder@shop.test}
  monitoring: {provider: launchready, owner: founder@shop.test}
deploy:
  rollback: ["fly deploy --image <previous>"]
  secrets_store: Fly secrets
"""


def _ids(write: Callable[[str], Path], text: str) -> list[str]:
    manifest = load_manifest(write(text))
    return [f.id for f in launch.check_manifest(manifest) + monitor.check_manifest(manifest)]


def test_a_ready_manifest_is_silent(write_manifest: Callable[[str], Path]) -> None:
    assert _ids(write_manifest, READY) == []


def test_a_bare_manifest_fires_every_gate(minimal_manifest: Path) -> None:
    manifest = load_manifest(minimal_manifest)
    found = launch.check_manifest(manifest) + monitor.check_manifest(manifest)
    ids = [f.id for f in found]
    owners = next(f for f in found if f.id == "launch.owner-unknown")
    assert owners.evidence == {  # no CDN owner needed with cdn: none
        "missing": ["registrar", "dns", "hosting", "email", "deploy", "monitoring"]
    }
    assert {
        "launch.checkout-untested",
        "launch.rollback-undocumented",
        "launch.secrets-store-undocumented",
        "monitor.health-missing",
        "monitor.not-configured",
    } <= set(ids)
    checkout = next(f for f in found if f.id == "launch.checkout-untested")
    assert checkout.severity is Severity.BLOCKER


@pytest.mark.parametrize(
    ("old", "new", "fires"),
    [
        ("checkout: true}", "checkout: false}", "launch.checkout-untested"),
        (
            "  monitoring: {provider: launchready, owner: founder@shop.test}\n",
            "",
            "launch.owner-unknown",
        ),
        ("  cdn: {provider: Cloudflare, owner: founder@shop.test}\n", "", "launch.owner-unknown"),
        (
            'rollback: ["fly deploy --image <previous>"]',
            "rollback: []",
            "launch.rollback-undocumented",
        ),
        (
            'rollback: ["fly deploy --image <previous>"]',
            'rollback: ["  "]',
            "launch.rollback-undocumented",
        ),
        ("  secrets_store: Fly secrets\n", "", "launch.secrets-store-undocumented"),
        ("health: true}", "health: false}", "monitor.health-missing"),
        ('notify: ["mailto://founder@shop.test"]', "notify: []", "monitor.not-configured"),
    ],
)
def test_each_gate_fires_alone(
    write_manifest: Callable[[str], Path], old: str, new: str, fires: str
) -> None:
    assert old in READY
    assert _ids(write_manifest, READY.replace(old, new)) == [fires]


def test_cdn_owner_is_not_needed_without_a_cdn(write_manifest: Callable[[str], Path]) -> None:
    text = READY.replace("cdn: cloudflare", "cdn: none").replace(
        "  cdn: {provider: Cloudflare, owner: founder@shop.test}\n", ""
    )
    assert _ids(write_manifest, text) == []


def test_owner_findings_name_the_role(write_manifest: Callable[[str], Path]) -> None:
    manifest = load_manifest(
        write_manifest(
            READY.replace("  registrar: {provider: Namecheap, owner: founder@shop.test}\n", "")
        )
    )
    [item] = launch.check_manifest(manifest)
    assert item.target == "owners"
    assert item.evidence == {"missing": ["registrar"]}
    assert item.title == "No named owner for the registrar account"
