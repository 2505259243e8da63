"""``launchready monitor`` end to end: a real monitor process, a loopback target the test
switches between healthy and failing, and a real webhook receiving the Apprise alerts.
A flapping target yields exactly one alert and one recovery per incident, and a
``kill -9`` in the middle of an incident neither repeats nor loses one (SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest

from tests.labserver import free_port
from tests.monitor.lab import INTERVAL, Lab, manifest, start, until_listening


async def test_flapping_target_one_alert_and_one_recovery_per_incident(
    lab: Lab, tmp_path: Path
) -> None:
    monitor = await start(manifest(tmp_path, lab), tmp_path / "monitor.db", "--interval", INTERVAL)
    try:
        for _ in range(2):
            lab.healthy = False
            count = len(lab.alerts)
            await lab.wait_for(lambda count=count: len(lab.alerts) == count + 1)
            lab.healthy = True
            await lab.wait_for(lambda count=count: len(lab.alerts) == count + 2)
        seen = lab.probes
        await lab.wait_for(lambda: lab.probes >= seen + 3)  # healthy probes: no more alerts
    finally:
        monitor.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(monitor.communicate(), timeout=20)
    assert monitor.returncode == 0, stderr.decode()
    assert lab.titles() == [
        "[shop.test] DOWN",
        "[shop.test] RECOVERED",
        "[shop.test] DOWN",
        "[shop.test] RECOVERED",
    ]
    assert "[STATUS] (503) == 200" in lab.alerts[0]["message"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The monitor's store: a SQLite file, or a fresh database on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url.replace("postgresql+psycopg://", "postgresql://")  # as a user writes it


async def test_kill_9_mid_incident_neither_repeats_nor_loses(
    lab: Lab, tmp_path: Path, db: str
) -> None:
    path = manifest(tmp_path, lab)
    lab.healthy = False
    first = await start(path, db, "--interval", INTERVAL)
    await lab.wait_for(lambda: len(lab.alerts) == 1)
    # Between two probes (the outbox row is marked sent right after the channel accepts;
    # a kill inside those milliseconds would send it once more: at least once, never lost).
    seen = lab.probes
    await lab.wait_for(lambda: lab.probes > seen)
    first.kill()
    await first.wait()
    second = await start(path, db, "--interval", INTERVAL)
    try:
        seen = lab.probes
        await lab.wait_for(lambda: lab.probes >= seen + 3)  # still failing: no second alert
        assert lab.titles() == ["[shop.test] DOWN"]
        lab.healthy = True
        await lab.wait_for(lambda: len(lab.alerts) == 2)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), timeout=20)
    assert lab.titles() == ["[shop.test] DOWN", "[shop.test] RECOVERED"]


async def test_a_heartbeat_that_stops_pinging_alerts_and_a_ping_recovers(
    lab: Lab, tmp_path: Path
) -> None:
    listen = f"127.0.0.1:{free_port()}"
    path = manifest(tmp_path, lab, heartbeat='{name: order-sync, period: 2s, token: "${PING}"}')
    token = "s3cret-ping"
    monitor = await start(
        path,
        tmp_path / "monitor.db",
        "--interval",
        INTERVAL,
        "--listen",
        listen,
        env={"PING": token},
    )
    base = f"http://{listen}"
    try:
        async with aiohttp.ClientSession() as http:
            await until_listening(http, f"{base}/healthz")
            async with http.post(f"{base}/ping/order-sync?token=wrong") as refused:
                assert refused.status == 403
            async with http.get(f"{base}/ping/nightly?token={token}") as unknown:
                assert unknown.status == 404
            # No ping within period + grace: the job is late, one alert.
            await lab.wait_for(lambda: any("heartbeat" in a["title"] for a in lab.alerts))
            headers = {"Authorization": f"Bearer {token}"}
            async with http.post(f"{base}/ping/order-sync", headers=headers) as ok:
                assert ok.status == 200
            await lab.wait_for(
                lambda: len([a for a in lab.alerts if "heartbeat" in a["title"]]) == 2
            )
    finally:
        monitor.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(monitor.communicate(), timeout=20)
    assert token not in stderr.decode()
    beats = [a["title"] for a in lab.alerts if "heartbeat" in a["title"]]
    assert beats == ["[shop.test] DOWN: heartbeat order-sync", beats[1]]
    assert beats[1].startswith("[shop.test] RECOVERED: heartbeat order-sync")


async def test_a_heartbeat_without_a_token_is_refused(lab: Lab, tmp_path: Path) -> None:
    path = manifest(tmp_path, lab, heartbeat="{name: order-sync, period: 2s}")
    process = await start(path, tmp_path / "monitor.db")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert "set a token" in stderr.decode()
