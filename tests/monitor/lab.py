"""The monitor's test lab: a loopback target the test switches between healthy and failing,
a real webhook receiving the Apprise alerts (counted as they arrive, so tests await events
rather than sleep), and the real ``launchready monitor`` started in its own process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
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

    @property
    def notify_url(self) -> str:
        """The receiver as an Apprise URL (JSON webhook)."""
        return "json://" + self.hook.removeprefix("http://") + "/hook"

    def titles(self) -> list[str]:
        return [str(a["title"]).split(":")[0] for a in self.alerts]


@asynccontextmanager
async def running_lab() -> AsyncIterator[Lab]:
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


def manifest(tmp_path: Path, lab: Lab, heartbeat: str | None = None) -> Path:
    path = tmp_path / "launchready.yaml"
    beats = f"\n  heartbeats: [{heartbeat}]" if heartbeat else ""
    path.write_text(
        f"""
site: {{domain: shop.test}}
routes:
  - {{name: health, url: "{lab.target}/healthz", health: true}}
monitor:
  interval: 60s
  alert_after: 2
  notify: ["{lab.notify_url}"]{beats}
"""
    )
    return path


async def start(
    path: Path, db: Path | str, *extra: str, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """The real ``launchready monitor`` in its own process; ``db`` a SQLite file or a URL."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launchready",
        "monitor",
        "-m",
        str(path),
        "--db",
        db if isinstance(db, str) else f"sqlite:///{db}",
        *extra,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def until_listening(http: aiohttp.ClientSession, url: str) -> None:
    """The monitor's listener answers (it starts after the store opens)."""
    for _ in range(200):
        try:
            async with http.get(url) as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered")


async def stop(process: asyncio.subprocess.Process) -> str:
    """SIGTERM, then the monitor's stderr once it has exited."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    return stderr.decode()
