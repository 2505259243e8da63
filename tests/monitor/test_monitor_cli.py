"""``launchready monitor`` end to end: a real monitor process, a loopback target the test
switches between healthy and failing, and a real webhook receiving the Apprise alerts.
A flapping target yields exactly one alert and one recovery per incident, and a
``kill -9`` in the middle of an incident neither repeats nor loses one."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.labserver import serve

INTERVAL = "1s"


@dataclass
class Lab:
    """The target (health switchable) and the alert receiver, counted as events arrive."""

    target: str = ""
    hook: str = ""
    healthy: bool = True
    probes: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def wait_for(self, predicate: Any, within: float = 20) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), within)

    def titles(self) -> list[str]:
        return [str(a["title"]).split(":")[0] for a in self.alerts]


@pytest.fixture
async def lab() -> AsyncIterator[Lab]:
    state = Lab()

    async def health(request: web.Request) -> web.Response:
        async with state.changed:
            state.probes += 1
            state.changed.notify_all()
        return web.Response(text="ok") if state.healthy else web.Response(status=503)

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        async with state.changed:
            state.alerts.append(body)
            state.changed.notify_all()
        return web.Response(text="ok")

    target, receiver = web.Application(), web.Application()
    target.router.add_get("/healthz", health)
    receiver.router.add_post("/hook", hook)
    async with serve(target) as origin, serve(receiver) as hooks:
        state.target, state.hook = origin, hooks
        yield state


def manifest(tmp_path: Path, lab: Lab) -> Path:
    path = tmp_path / "launchready.yaml"
    hook = "json://" + lab.hook.removeprefix("http://") + "/hook"
    path.write_text(
        f"""
site: {{domain: shop.test}}
routes:
  - {{name: health, url: "{lab.target}/healthz", health: true}}
monitor:
  interval: 60s
  alert_after: 2
  notify: ["{hook}"]
"""
    )
    return path


async def start(path: Path, db: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launchready",
        "monitor",
        "-m",
        str(path),
        "--db",
        f"sqlite:///{db}",
        "--interval",
        INTERVAL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_flapping_target_one_alert_and_one_recovery_per_incident(
    lab: Lab, tmp_path: Path
) -> None:
    monitor = await start(manifest(tmp_path, lab), tmp_path / "monitor.db")
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


async def test_kill_9_mid_incident_neither_repeats_nor_loses(lab: Lab, tmp_path: Path) -> None:
    path, db = manifest(tmp_path, lab), tmp_path / "monitor.db"
    lab.healthy = False
    first = await start(path, db)
    await lab.wait_for(lambda: len(lab.alerts) == 1)
    # Between two probes (the outbox row is marked sent right after the channel accepts;
    # a kill inside those milliseconds would send it once more: at least once, never lost).
    seen = lab.probes
    await lab.wait_for(lambda: lab.probes > seen)
    first.kill()
    await first.wait()
    second = await start(path, db)
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
