"""``launchready audit`` through the real CLI: exit codes, bad input, formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliRun

READY = """
site: {domain: shop.test}
routes:
  - {name: cart, url: "https://www.shop.test/cart", checkout: true}
  - {name: health, url: "https://www.shop.test/healthz", health: true}
monitor: {notify: ["mailto://founder@shop.test"]}
owners:
  registrar: {provider: Namecheap, owner: founder@shop.test}
  dns: {provider: Cloudflare, owner: founder@shop.test}
  hosting: {provider: Fly.io, owner: founder@shop.test}
  email: {provider: Google Workspace, owner: founder@shop.test}
  deploy: {provider: GitHub Actions, owner: founder@shop.test}
  monitoring: {provider: launchready, owner: founder@shop.test}
deploy: {rollback: ["fly deploy --image <previous>"], secrets_store: Fly secrets}
"""

ONLY_MANIFEST_AREAS = ("--only", "launch,monitor")


@pytest.mark.parametrize(
    ("text", "env", "needle"),
    [
        ("site: {domain: shop.test}\nsite_name: x\n", {}, ":2: site_name: unknown key"),
        ("site: {domain: shop.test}\nroutes:\n  - {name: a, url: 5}\n", {}, ":3: routes[0].url"),
        ("site: {domain: shop.test\n", {}, "not valid YAML"),
        (
            "site: {domain: shop.test}\nroutes:\n  - {name: a, url: 'https://${HOST_X}/'}\n",
            {},
            ":3: routes[0].url: the environment variable HOST_X is not set",
        ),
    ],
)
def test_bad_manifest_exits_2_with_one_clear_message(
    cli: CliRun,
    write_manifest: Callable[[str], Path],
    text: str,
    env: dict[str, str],
    needle: str,
) -> None:
    path = write_manifest(text)
    result = cli("audit", "-m", path, env=env)
    assert result.returncode == 2
    assert needle in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_manifest_and_unknown_option_exit_2(cli: CliRun) -> None:
    result = cli("audit")
    assert result.returncode == 2
    assert "launchready.yaml: no such file" in result.stderr
    result = cli("audit", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [("--only", "dns,nope"), ("--fail-on", "severe"), ("--timeout", "5 mins"), ("--format", "pdf")],
)
def test_bad_option_values_exit_2(
    cli: CliRun, minimal_manifest: Path, args: tuple[str, str]
) -> None:
    result = cli("audit", "-m", minimal_manifest, *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


def test_findings_at_threshold_exit_1_and_below_exit_0(cli: CliRun, minimal_manifest: Path) -> None:
    result = cli("audit", "-m", minimal_manifest, "--format", "json", *ONLY_MANIFEST_AREAS)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ready"] is False
    assert "launch.checkout-untested" in {f["id"] for f in report["findings"]}
    never = cli("audit", "-m", minimal_manifest, "--fail-on", "never", *ONLY_MANIFEST_AREAS)
    assert never.returncode == 0


def test_a_ready_manifest_exits_0_and_reports_skipped_areas(
    cli: CliRun, write_manifest: Callable[[str], Path]
) -> None:
    # The network areas would ask the system resolver: tests reach loopback only.
    result = cli(
        "audit",
        "-m",
        write_manifest(READY),
        "--format",
        "json",
        "--fail-on",
        "low",
        "--only",
        "launch,monitor,db",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == []
    statuses = {c["area"]: c["status"] for c in report["checks"]}
    assert statuses["launch"] == "ran" and statuses["monitor"] == "ran"
    assert "dns" not in statuses
    assert statuses["db"] == "skipped"
    skipped = next(c for c in report["checks"] if c["area"] == "db")
    assert skipped["reason"]


def test_output_file_gets_the_format_from_its_extension(
    cli: CliRun, minimal_manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = cli("audit", "-m", minimal_manifest, "-o", out, *ONLY_MANIFEST_AREAS)
    assert result.returncode == 1
    assert result.stdout == ""
    assert out.read_text().lstrip().lower().startswith("<!doctype html>")


def test_version(cli: CliRun) -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "launchready 0.1.0"
