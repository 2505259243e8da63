"""``launchready monitor`` following a real access log: a 5xx spike written to the file gives
exactly one alert and one recovery through the real webhook, and the real ``logrotate``
(rename-and-create, then copytruncate, each also while the monitor is stopped) neither
loses nor re-reads a line: the line count kept in the store ends exactly at what was
written."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from launchready.monitor.store import Store
from tests.labserver import free_port
from tests.logs.logfiles import Hit, combined, now
from tests.monitor.lab import INTERVAL, Lab, start, stop, until_listening

pytestmark = pytest.mark.skipif(shutil.which("logrotate") is None, reason="needs logrotate")


def manifest(tmp_path: Path, lab: Lab) -> Path:
    path = tmp_path / "launchready.yaml"
    path.write_text(
        f"""
site: {{domain: shop.test}}
routes:
  - {{name: health, url: "{lab.target}/healthz", health: true}}
logs:
  access: ["logs/access.log*"]
monitor:
  interval: 60s
  alert_after: 2
  notify: ["{lab.notify_url}"]
"""
    )
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access.log").touch()
    return path


def write(log: Path, count: int, status: int = 200, at: datetime | None = None) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.writelines(
            combined(Hit(at or now(), "/cart", status=status)) + "\n" for _ in range(count)
        )


async def ticks(lab: Lab, count: int) -> None:
    """``count`` more probes of the health route: the monitor's clock, as events."""
    seen = lab.probes
    await lab.wait_for(lambda: lab.probes >= seen + count)


async def test_a_5xx_spike_in_the_log_alerts_once_and_recovers_once(
    lab: Lab, tmp_path: Path
) -> None:
    path = manifest(tmp_path, lab)
    log = tmp_path / "logs" / "access.log"
    listen = f"127.0.0.1:{free_port()}"
    monitor = await start(path, tmp_path / "monitor.db", "--interval", INTERVAL, "--listen", listen)
    try:
        await ticks(lab, 2)  # the monitor has had its first look at the log
        write(log, 20)
        write(log, 20, status=502)
        await lab.wait_for(lambda: len(lab.alerts) == 1)
        write(log, 800)  # traffic back to normal dilutes the window below 5%
        await lab.wait_for(lambda: len(lab.alerts) == 2)
        await ticks(lab, 3)  # still healthy: nothing more
        async with aiohttp.ClientSession() as http:
            await until_listening(http, f"http://{listen}/healthz")
            async with http.get(f"http://{listen}/metrics") as answer:
                metrics = await answer.text()
    finally:
        stderr = await stop(monitor)
    assert monitor.returncode == 0, stderr
    titles = [str(alert["title"]) for alert in lab.alerts]
    assert titles[0] == "[shop.test] DOWN: logs 5xx-spike"
    assert titles[1].startswith("[shop.test] RECOVERED: logs 5xx-spike")
    assert len(titles) == 2
    assert "[5XX_RATE] (50.0%: 20 of 40 requests in 5m) < 5%" in lab.alerts[0]["message"]
    read = {
        s.labels["path"]: s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
        if s.name == "launchready_log_lines_read_total"
    }
    assert read == {str(log): 840}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    yield opened
    opened.close()


class Rotation:
    """The real logrotate over the lab's log, forced, in either style."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder = tmp_path / "logs"
        self.state = tmp_path / "logrotate.state"

    async def __call__(self, style: str) -> None:
        config = self.folder.parent / f"logrotate-{style}.conf"
        config.write_text(
            f"{self.folder / 'access.log'} {{\n"
            f"  rotate 5\n  compress\n  delaycompress\n  missingok\n  {style}\n}}\n"
        )
        rotate = await asyncio.create_subprocess_exec(
            "logrotate",
            "-f",
            "-s",
            str(self.state),
            str(config),
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await rotate.communicate()
        assert rotate.returncode == 0, stderr.decode()


async def test_rotations_and_restarts_lose_and_repeat_no_line(
    lab: Lab, tmp_path: Path, store: Store
) -> None:
    path = manifest(tmp_path, lab)
    log = tmp_path / "logs" / "access.log"
    db = tmp_path / "monitor.db"
    rotate = Rotation(tmp_path)

    def read() -> int:
        return sum(mark.lines for mark in store.log_marks("default").values())

    async def until_read(expected: int) -> None:
        for _ in range(30):
            if read() == expected:
                return
            await ticks(lab, 1)
        raise AssertionError(f"the monitor read {read()} lines, {expected} were written")

    monitor = await start(path, db, "--interval", INTERVAL)
    try:
        await ticks(lab, 2)
        write(log, 100)
        await until_read(100)
        write(log, 50)  # not read yet when logrotate renames the file away
        await rotate("create")
        write(log, 30)
        await until_read(180)
        write(log, 40)  # not read yet when logrotate copies and truncates
        await rotate("copytruncate")
        write(log, 20)
        await until_read(240)
    finally:
        stderr = await stop(monitor)
    assert monitor.returncode == 0, stderr

    write(log, 10)  # while the monitor is stopped: rename and create
    await rotate("create")
    write(log, 5)
    monitor = await start(path, db, "--interval", INTERVAL)
    try:
        await until_read(255)
    finally:
        await stop(monitor)

    write(log, 7)  # while the monitor is stopped: copytruncate
    await rotate("copytruncate")
    write(log, 3)
    monitor = await start(path, db, "--interval", INTERVAL)
    try:
        await until_read(265)
        await ticks(lab, 3)
        assert read() == 265  # and nothing read twice since
    finally:
        await stop(monitor)
    assert sorted(p.name for p in log.parent.iterdir())[:3] == [
        "access.log",
        "access.log.1",
        "access.log.2.gz",
    ]
    assert lab.alerts == []
