"""No planted secret, nor its tail, reaches any output of ``secrets scan`` or ``env check``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from launchready.demo.credentials import aws_key_pair
from launchready.secrets import Match, fingerprint
from launchready.secrets.report import build_findings, match_finding
from tests.checks.test_secrets import make_repo, stripe_key
from tests.cli.test_env_cli import run_cli
from tests.cli.test_secrets_cli import lab_manifest, run_async
from tests.secrets.test_bundle import Site, _start

FORMATS = ("text", "json", "md", "html", "sarif", "junit")


def leaked(text: str, values: list[str]) -> list[str]:
    """The planted values (or their last 8 characters) that appear in ``text``."""
    return [v for v in values if v in text or v[-8:] in text]


def test_a_finding_never_holds_the_clear_value() -> None:
    key = stripe_key()
    match = Match("stripe-secret-key", f"src/{key}.js", 3, key)
    item = match_finding("secrets.in-tree", match)
    dumped = json.dumps([item.title, item.target, dict(item.evidence), item.fingerprint])
    assert leaked(dumped, [key]) == []
    assert item.evidence["value"] == match.redacted
    assert item.evidence["secret_fingerprint"] == fingerprint(match)


def test_fingerprint_ignores_the_line() -> None:
    key = stripe_key()
    first = match_finding("secrets.in-tree", Match("stripe-secret-key", "a.js", 3, key))
    moved = match_finding("secrets.in-tree", Match("stripe-secret-key", "a.js", 30, key))
    other = match_finding("secrets.in-tree", Match("stripe-secret-key", "a.js", 3, stripe_key()))
    assert first.fingerprint == moved.fingerprint != other.fingerprint


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async for lab in _start(tmp_path):
        yield lab


ENVIRONMENTS = (
    "environments:\n  required: repo/.env.example\n"
    "  files: {production: prod.env, staging: stag.env}\n"
)


@pytest.fixture
def planted(tmp_path: Path) -> list[str]:
    """A repo (tree and history) and env files holding known values, and a manifest."""
    aws_id, aws_secret = aws_key_pair()
    tree_key, shared = stripe_key(), stripe_key()
    make_repo(
        tmp_path / "repo",
        [
            {"aws.json": f'{{"id": "{aws_id}", "secret": "{aws_secret}"}}\n'},
            {"aws.json": None, ".env": f"STRIPE_SECRET_KEY={tree_key}\n"},
        ],
    )
    (tmp_path / "launchready.yaml").write_text("site:\n  domain: shop.test\n" + ENVIRONMENTS)
    (tmp_path / "repo" / ".env.example").write_text("STRIPE_SECRET_KEY=\nSENDGRID_API_KEY=\n")
    (tmp_path / "prod.env").write_text(f"STRIPE_SECRET_KEY={shared}\n")
    (tmp_path / "stag.env").write_text(f"STRIPE_SECRET_KEY={shared}\nSENDGRID_API_KEY=x\n")
    return [aws_id, aws_secret, tree_key, shared]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_secrets_scan_never_prints_a_value(
    tmp_path: Path, planted: list[str], site: Site, fmt: str
) -> None:
    manifest = lab_manifest(tmp_path, site)
    manifest.write_text(manifest.read_text() + ENVIRONMENTS)
    planted = planted + list(site.keys.values())
    code, out, err = await run_async(
        tmp_path,
        "secrets",
        "secrets",
        "scan",
        "repo",
        "--history",
        "--url",
        "https://www.shop.test/",
        "--format",
        fmt,
        "-v",
    )
    assert code == 1, err
    assert "secrets.in-history" in out and "secrets.in-frontend" in out
    assert leaked(out + err, planted) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_env_check_never_prints_a_value(tmp_path: Path, planted: list[str], fmt: str) -> None:
    result = run_cli(tmp_path, "env", "env", "check", "--format", fmt, "-v")
    assert result.returncode == 1, result.stderr
    assert "env.shared-value" in result.stdout and "env.missing" in result.stdout
    assert leaked(result.stdout + result.stderr, planted) == []


def test_build_output_findings_are_redacted_too() -> None:
    key = stripe_key()
    (item,) = build_findings([Match("stripe-secret-key", "dist/app.js", 1, key)])
    assert item.id == "secrets.in-build"
    assert leaked(json.dumps([item.title, item.target, dict(item.evidence)]), [key]) == []
