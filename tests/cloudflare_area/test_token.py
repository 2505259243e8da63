"""The API token never reaches any output: the real command line, every report format,
verbose logs on (the API runs on this test's event loop, so the command runs in a
thread), for a zone with findings and for a token the API rejects. (The API is
the local fake; see zones.py.)"""

from __future__ import annotations

import asyncio
import html

import pytest

from launchready.demo.cfapi import FakeToken
from tests.cloudflare_area.conftest import CloudflareLab
from tests.cloudflare_area.zones import TOKEN, clean_zone, flawed_zone
from tests.conftest import CliRun


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html", "sarif", "junit"])
async def test_no_format_shows_the_token(
    cloudflare_lab: CloudflareLab, cli: CliRun, fmt: str
) -> None:
    cloudflare_lab.use(flawed_zone())
    manifest = cloudflare_lab.manifest()
    result = await asyncio.to_thread(
        cli, "audit", "-m", manifest, "--only", "cloudflare", "--format", fmt, "-v"
    )
    assert result.returncode == 1, result.stderr
    assert "dev" in result.stdout.lower()  # the findings are there...
    assert TOKEN not in result.stdout + result.stderr  # ...the token is not
    assert TOKEN[:12] not in result.stdout + result.stderr


async def test_a_rejected_token_is_not_shown_either(
    cloudflare_lab: CloudflareLab, cli: CliRun
) -> None:
    cloudflare_lab.use(clean_zone(), FakeToken(TOKEN, expired=True))
    manifest = cloudflare_lab.manifest()
    result = await asyncio.to_thread(cli, "audit", "-m", manifest, "--only", "cloudflare", "-v")
    assert result.returncode == 1, result.stderr
    assert "cannot be read" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
async def test_the_reports_show_the_zone_as_found(
    cloudflare_lab: CloudflareLab, cli: CliRun, fmt: str
) -> None:
    cloudflare_lab.use(flawed_zone())
    manifest = cloudflare_lab.manifest()
    result = await asyncio.to_thread(
        cli, "audit", "-m", manifest, "--only", "cloudflare", "--format", fmt
    )
    page = html.unescape(result.stdout).replace("\\", "")
    assert "Cloudflare zone shop.test" in page
    assert "ssl flexible" in page or ">flexible<" in page
    assert "mail.shop.test" in page  # proxied, as found
