"""A served fake Cloudflare API and manifests pointing at it (see tests/cloudflare/zones.py
for why the API is a fake, and what is real)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from launchready.demo.cfapi import FakeCloudflare, FakeToken, FakeZone, cloudflare_api_app
from tests.cloudflare_area.zones import DOMAIN, MANIFEST, ORIGIN, TOKEN, clean_zone
from tests.labserver import serve


class CloudflareLab:
    """The fake API's state (zones, tokens, requests seen) and where it listens."""

    def __init__(self, api: FakeCloudflare, origin: str, folder: Path) -> None:
        self.api = api
        self.base = f"{origin}/client/v4"
        self.folder = folder

    def use(self, zone: FakeZone, token: FakeToken | None = None) -> None:
        self.api.zones[:] = [zone]
        self.api.tokens[:] = [token or FakeToken(TOKEN)]

    def manifest(self, zone_name: str = DOMAIN, extra: str = "") -> Path:
        path = self.folder / "launchready.yaml"
        text = MANIFEST.format(domain=DOMAIN, origin=ORIGIN, zone=zone_name, api=self.base)
        path.write_text(text + extra)
        return path


@pytest_asyncio.fixture
async def cloudflare_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[CloudflareLab]:
    monkeypatch.setenv("CF_TEST_TOKEN", TOKEN)
    api = FakeCloudflare([clean_zone()], [FakeToken(TOKEN)])
    async with serve(cloudflare_api_app(api)) as origin:
        yield CloudflareLab(api, origin, tmp_path)


LabFactory = Callable[[], CloudflareLab]
