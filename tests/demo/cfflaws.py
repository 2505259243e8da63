"""The observer of the demo's Cloudflare flaw: the zone read straight from the demo's API.

Plain aiohttp GETs with the token, as Cloudflare's API documentation shows them
(``GET /zones?name=...``, then ``GET /zones/{id}/settings/development_mode``); nothing of
launchready's cloudflare package or of the official SDK is used, so the observer cannot
share a mistake with the check it proves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from .conftest import Probe

Observer = Callable[["Probe"], Awaitable[bool]]
CF_OBSERVERS: dict[str, Observer] = {}
TIMEOUT = aiohttp.ClientTimeout(total=5)


def _observes(finding_id: str) -> Callable[[Observer], Observer]:
    def register(observer: Observer) -> Observer:
        CF_OBSERVERS[finding_id] = observer
        return observer

    return register


async def cloudflare_get(p: Probe, path: str, **params: str) -> Any:
    """The ``result`` of one GET on the demo's Cloudflare API (the v4 envelope checked)."""
    section = p.manifest.cloudflare
    assert section is not None
    headers = {"Authorization": f"Bearer {section.token}"}
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(section.api_base + path, headers=headers, params=params) as response,
    ):
        body = await response.json()
    assert response.status == 200 and body["success"] is True, body
    return body["result"]


async def zone_id(p: Probe) -> str:
    assert p.manifest.cloudflare is not None
    zones = await cloudflare_get(p, "/zones", name=p.manifest.cloudflare.zone)
    assert len(zones) == 1
    return str(zones[0]["id"])


@_observes("cloudflare.dev-mode-on")
async def _dev_mode(p: Probe) -> bool:
    setting = await cloudflare_get(p, f"/zones/{await zone_id(p)}/settings/development_mode")
    return bool(setting["value"] == "on")
