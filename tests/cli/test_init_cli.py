"""``launchready init`` against the running flawed demo (its own DNS server, HTTPS under
its own CA): the manifest it writes validates, names what DNS and HTTP say (canonical
origin, hosts, staging, mail senders from SPF and DKIM, redirects), leaves owners and
rollback as TODOs, and its audit finds the demo's email and ownership flaws. An existing
file is never replaced without --force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from launchready.manifest import load_manifest
from tests.conftest import CliRun


@pytest.fixture(autouse=True)
def no_cloudflare_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token in the developer's environment would send init to the real Cloudflare API."""
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    monkeypatch.delenv("CLOUDFLARE_API_BASE", raising=False)


def network_flags(flawed: Path) -> list[str]:
    """How this machine reaches the demo, from the demo's own manifest."""
    network = yaml.safe_load(flawed.read_text())["network"]
    flags = [f"--nameserver={n}" for n in network["nameservers"]]
    flags += [f"--resolve={k}={v}" for k, v in network["resolve"].items()]
    ca = Path(network["ca_bundle"])
    return [*flags, f"--ca-bundle={ca if ca.is_absolute() else flawed.parent / ca}"]


def test_init_against_the_demo_writes_a_manifest_whose_audit_finds_the_flaws(
    cli: CliRun, flawed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "launchready.yaml"
    result = cli("init", "demo-candles.test", "-m", out, *network_flags(flawed), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stderr and "next:" in result.stderr
    manifest = load_manifest(out)
    assert manifest.site.canonical == "https://www.demo-candles.test"
    hosts = {h.name: h.role for h in manifest.site.hosts}
    assert hosts["www.demo-candles.test"] == "storefront"
    assert hosts["api.demo-candles.test"] == "api"
    assert hosts["chat.demo-candles.test"] == "chat"
    assert manifest.site.staging == ["staging.demo-candles.test"]
    assert manifest.email is not None
    # Every provider the demo's SPF names, then SendGrid, which only its DKIM key reveals.
    assert manifest.email.senders[0] == "google-workspace"
    assert {"microsoft-365", "shopify"} <= set(manifest.email.senders)
    assert manifest.email.senders[-1] == "sendgrid"
    assert {"google", "s1"} <= set(manifest.email.dkim_selectors)
    assert str(manifest.redirects[0].to) == "https://www.demo-candles.test/"
    assert manifest.owners is None and manifest.deploy is None  # TODOs, not guesses
    text = out.read_text()
    assert "# TODO: who controls each account" in text and "rollback" in text

    audit = cli("audit", "-m", out, "--format", "json", timeout=180)
    assert audit.returncode == 1, audit.stderr
    found = {f["id"] for f in json.loads(audit.stdout)["findings"]}
    expected = {
        "email.spf-sender-missing",  # SPF names Google, not SendGrid, which signs order mail
        "email.spf-permissive",
        "email.dmarc-policy-none",
        "email.dkim-weak-key",
        "launch.owner-unknown",
        "monitor.not-configured",
        "monitor.health-missing",
    }
    assert expected <= found, expected - found


def test_init_never_overwrites_without_force(cli: CliRun, flawed: Path, tmp_path: Path) -> None:
    out = tmp_path / "launchready.yaml"
    out.write_text("site: {domain: mine.test}\n")
    refused = cli("init", "demo-candles.test", "-m", out, *network_flags(flawed))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_text() == "site: {domain: mine.test}\n"
    forced = cli("init", "demo-candles.test", "-m", out, "--force", "-q", *network_flags(flawed))
    assert forced.returncode == 0, forced.stderr
    assert load_manifest(out).site.domain == "demo-candles.test"


def test_a_domain_nothing_answers_for_still_gets_a_valid_starter(
    cli: CliRun, flawed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "launchready.yaml"
    flags = [f for f in network_flags(flawed) if f.startswith("--nameserver")]
    result = cli("init", "nothing-here.test", "-m", out, *flags, "--timeout", "2s")
    assert result.returncode == 0, result.stderr
    manifest = load_manifest(out)
    assert manifest.site.canonical is None
    assert "not found: nothing-here.test has no A, AAAA or CNAME record" in result.stderr


def test_bad_input_is_exit_2(cli: CliRun, tmp_path: Path) -> None:
    out = tmp_path / "launchready.yaml"
    for args in (["not a domain!"], ["shop.test", "--resolve", "nonsense"]):
        result = cli("init", *args, "-m", out)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not out.exists()
