"""Two monitors in two regions share one real PostgreSQL (tests/pglab.py). The target
listens on two loopback addresses and can fail for one region's address only, the way
one region's network trouble looks: that alone is no incident; a failure both regions
see is exactly one alert and one recovery; a region that stops reporting is an alert of
its own, and retiring it (``monitor --retire-region``) closes that alert."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from aiohttp import web

from tests.conftest import CliRun
from tests.labserver import free_port
from tests.monitor.lab import INTERVAL, Lab, start, stop

EU, US = "127.0.0.1", "127.0.0.2"


def region_manifest(tmp_path: Path, lab: Lab, port: int, address: str) -> Path:
    """The same store seen through one region's network: health.shop.test is ``address``."""
    path = tmp_path / f"launchready-{address}.yaml"
    path.write_text(
        f"""
site: {{domain: shop.test}}
routes:
  - {{name: health, url: "http://health.shop.test:{port}/healthz", health: true}}
network:
  resolve: {{"health.shop.test:{port}": "{address}:{port}"}}
monitor:
  alert_after: 2
  notify: ["{lab.notify_url}"]
"""
    )
    return path


async def test_two_regions_need_a_quorum_and_a_silent_region_alerts(
    lab: Lab, tmp_path: Path, postgres_url: str, cli: CliRun
) -> None:
    failing_for: set[str] = set()
    arrivals: Counter[str] = Counter()

    async def health(request: web.Request) -> web.Response:
        address = request.transport.get_extra_info("sockname")[0] if request.transport else ""
        async with lab.changed:
            arrivals[address] += 1
            lab.changed.notify_all()
        return web.Response(status=503) if address in failing_for else web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/healthz", health)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    for address in (EU, US):
        await web.TCPSite(runner, address, port).start()
    db = postgres_url
    monitors = {
        name: await start(
            region_manifest(tmp_path, lab, port, address),
            db,
            "--region",
            name,
            "--interval",
            INTERVAL,
        )
        for name, address in (("eu", EU), ("us", US))
    }
    try:
        # Both regions have reported (a second probe each: the first one is stored), so the
        # quorum is both; until then a region alone is every region there is.
        await lab.wait_for(lambda: arrivals[EU] >= 2 and arrivals[US] >= 2)
        # Only us is cut off: four failures in a row from there, and no alert.
        failing_for.add(US)
        seen = arrivals[US]
        await lab.wait_for(lambda: arrivals[US] >= seen + 4 and arrivals[EU] >= 4)
        assert lab.alerts == []
        # Both regions see it: one alert, naming both; then one recovery.
        failing_for.add(EU)
        await lab.wait_for(lambda: len(lab.alerts) == 1)
        assert lab.alerts[0]["title"] == "[shop.test] DOWN: health"
        assert "Seen failing from: eu, us." in lab.alerts[0]["message"]
        failing_for.clear()
        await lab.wait_for(lambda: len(lab.alerts) == 2)
        assert lab.alerts[1]["title"].startswith("[shop.test] RECOVERED: health")
        # us goes silent: eu raises it after three quiet intervals and two failed checks.
        monitors["us"].kill()
        await monitors["us"].wait()
        await lab.wait_for(lambda: len(lab.alerts) == 3, within=30)
        assert lab.alerts[2]["title"] == "[shop.test] DOWN: region us"
        assert "[LAST_REPORT]" in lab.alerts[2]["message"]
        # us was decommissioned: retiring it closes that incident, told by eu's sender.
        eu_manifest = region_manifest(tmp_path, lab, port, EU)
        unknown = await asyncio.to_thread(
            cli, "monitor", "-m", eu_manifest, "--db", db, "--retire-region", "asia"
        )
        assert unknown.returncode == 2
        assert "known: eu, us" in unknown.stderr
        retired = await asyncio.to_thread(
            cli, "monitor", "-m", eu_manifest, "--db", db, "--retire-region", "us"
        )
        assert retired.returncode == 0, retired.stderr
        assert "region us retired: its open incident is closed" in retired.stdout
        await lab.wait_for(lambda: len(lab.alerts) == 4)
        assert lab.alerts[3]["title"].startswith("[shop.test] RETIRED: region us (silent ")
    finally:
        for process in monitors.values():
            await stop(process)
        await runner.cleanup()
    assert [a["title"].split(":")[0] for a in lab.alerts] == [
        "[shop.test] DOWN",
        "[shop.test] RECOVERED",
        "[shop.test] DOWN",
        "[shop.test] RETIRED",
    ]
