"""The monitor's pages, served by a real ``launchready monitor --listen``: the dashboard
shows every check with its uptime, latency and incidents (in real headless Chromium, and an
incident appears when the target goes down), the public status page shows no internals,
``/metrics`` parses as Prometheus text, and beyond loopback the dashboard is guarded."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page, async_playwright
from prometheus_client.parser import text_string_to_metric_families

from launchready.chat.browser import chromium_args, find_chromium
from tests.labserver import free_port
from tests.monitor.lab import INTERVAL, Lab, start, stop, until_listening

TOKEN = "dash-7f3c9a1b2e"
PING = "ping-0c4d8e2f"


def manifest(tmp_path: Path, lab: Lab, dashboard: str = "") -> Path:
    path = tmp_path / "launchready.yaml"
    path.write_text(
        f"""
site: {{domain: shop.test}}
routes:
  - {{name: health, url: "{lab.target}/healthz?key=internal-route-secret", health: true}}
monitor:
  alert_after: 2
  notify: ["{lab.notify_url}"]
  heartbeats: [{{name: order-sync, period: 1h, token: "${{PING}}"}}]{dashboard}
"""
    )
    return path


async def listening(
    tmp_path: Path, lab: Lab, dashboard: str, listen: str
) -> asyncio.subprocess.Process:
    """The monitor of :func:`manifest`, serving its pages on ``listen``."""
    path = manifest(tmp_path, lab, dashboard)
    env = {"PING": PING, "DASH": TOKEN}
    return await start(
        path, tmp_path / "monitor.db", "--interval", INTERVAL, "--listen", listen, env=env
    )


@asynccontextmanager
async def monitoring(
    tmp_path: Path, lab: Lab, dashboard: str = ""
) -> AsyncIterator[tuple[str, aiohttp.ClientSession]]:
    """A monitor listening on loopback; its base URL and an HTTP session."""
    listen = f"127.0.0.1:{free_port()}"
    process = await listening(tmp_path, lab, dashboard, listen)
    base = f"http://{listen}"
    try:
        # unsafe: the jar keeps cookies of IP-address hosts (the dashboard's, on loopback).
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            await until_listening(http, f"{base}/healthz")
            yield base, http
    finally:
        stderr = await stop(process)
        assert TOKEN not in stderr and PING not in stderr


async def test_the_dashboard_shows_an_incident_when_the_target_goes_down_in_chromium(
    lab: Lab, tmp_path: Path
) -> None:
    chromium = find_chromium()
    assert chromium is not None, "scripts/test installs Debian's chromium"
    async with monitoring(tmp_path, lab) as (base, _http), async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=chromium_args("EXCLUDE localhost")
        )
        try:
            page = await browser.new_page()
            await lab.wait_for(lambda: lab.probes >= 2)
            await page.goto(base + "/")
            health = page.locator('tr.check[data-check="health"]')
            assert await health.get_attribute("data-state") == "up"
            assert "100%" in await health.inner_text()  # 24 h uptime
            assert await page.locator("svg[aria-label='health: p95 latency'] polyline").count()
            assert await page.locator("tr.check").count() >= 2  # health and the heartbeat
            lab.healthy = False
            await lab.wait_for(lambda: len(lab.alerts) == 1)
            await until_shown(page, base + "/", 'tr.incident[data-check="health"][data-open="yes"]')
            row = page.locator('tr.incident[data-check="health"]')
            assert "[STATUS] (503) == 200" in await row.inner_text()
            assert await health.get_attribute("data-state") == "down"
            channel = page.locator("#channels tr[data-healthy='yes']")
            assert "json://127.0.0.1" in await channel.inner_text()
            await page.goto(base + "/status")
            assert "1 of 1 down" in await page.locator("#headline").inner_text()
        finally:
            await browser.close()


async def until_shown(page: Page, url: str, selector: str, within: float = 15) -> None:
    """Reload ``url`` until ``selector`` is on it (the page refreshes itself more slowly)."""
    async with asyncio.timeout(within):
        while True:
            await page.goto(url)
            if await page.locator(selector).count():
                return
            await asyncio.sleep(0.2)


async def test_the_status_page_shows_names_and_states_never_internals(
    lab: Lab, tmp_path: Path
) -> None:
    async with monitoring(tmp_path, lab) as (base, http):
        lab.healthy = False
        await lab.wait_for(lambda: len(lab.alerts) == 1)
        async with http.get(base + "/status") as answer:
            page = await answer.text()
        assert answer.status == 200
        assert "health" in page and "down" in page
        for internal in ("internal-route-secret", "127.0.0.1", "[STATUS]", "order-sync", PING):
            assert internal not in page


async def test_metrics_are_prometheus_text(lab: Lab, tmp_path: Path) -> None:
    async with monitoring(tmp_path, lab) as (base, http):
        await lab.wait_for(lambda: lab.probes >= 3)
        async with http.get(base + "/metrics") as answer:
            text = await answer.text()
    samples = {
        (s.name, s.labels.get("check", "")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("launchready_check_up", "health")] == 1.0
    assert samples[("launchready_check_incident_open", "health")] == 0.0
    assert samples[("launchready_probes_total", "")] >= 3
    assert 0 <= samples[("launchready_schedule_drift_p99_seconds", "")] < 1


GUARDED = '\n  dashboard: {token: "${DASH}", username: founder, password: "${DASH}"}'


async def test_a_guarded_dashboard_needs_its_token_or_password(lab: Lab, tmp_path: Path) -> None:
    async with monitoring(tmp_path, lab, GUARDED) as (base, http):
        for path in ("/", "/metrics"):
            async with http.get(base + path) as refused:
                assert refused.status == 401
        basic = "Basic " + base64.b64encode(f"founder:{TOKEN}".encode()).decode()
        wrong = "Basic " + base64.b64encode(b"founder:guess").decode()
        for header, status in ((f"Bearer {TOKEN}", 200), (basic, 200), (wrong, 401)):
            async with http.get(base + "/", headers={"Authorization": header}) as answer:
                assert answer.status == status
        # A token in the address becomes a cookie and leaves the address bar.
        async with http.get(base + f"/?token={TOKEN}", allow_redirects=False) as moved:
            assert moved.status == 303
            assert moved.headers["Location"] == "/"
        async with http.get(base + "/") as with_cookie:
            assert with_cookie.status == 200
        async with http.get(base + "/status") as public:
            assert public.status == 200


@pytest.mark.parametrize("dashboard", ["", GUARDED])
async def test_beyond_loopback_an_open_dashboard_is_refused(
    lab: Lab, tmp_path: Path, dashboard: str
) -> None:
    process = await listening(tmp_path, lab, dashboard, f"0.0.0.0:{free_port()}")
    if dashboard:  # guarded: it starts (and stops cleanly)
        await lab.wait_for(lambda: lab.probes >= 1)
        await stop(process)
        assert process.returncode == 0
        return
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert "monitor.dashboard.token" in stderr.decode()
