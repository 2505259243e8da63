"""``launchready deploy drill`` through the real command line against a staging store on
loopback whose live release is a symlink: the drill's deploy and rollback are real
``ln -sfn`` commands, its smoke tests real requests."""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import CliRun
from tests.deploy.conftest import Staging, drill_manifest, exits_within

from launchready.deploy import drill_commands
from launchready.errors import InputError
from launchready.manifest import load_manifest

TO_BAD = "ln -sfn releases/bad staging/current"
TO_GOOD = "ln -sfn releases/good staging/current"


async def run_drill(cli: CliRun, manifest: Path, *args: str) -> tuple[int, Any, str]:
    done = await asyncio.to_thread(
        cli,
        "deploy",
        "drill",
        "-m",
        manifest,
        "--format",
        "json",
        "--timeout",
        "5s",
        "--log-dir",
        "logs",
        *args,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def by_id(data: Any, finding_id: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["id"] == finding_id]


def steps(data: Any) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in data["extras"]["deploy"]["steps"]}


async def test_a_broken_deploy_is_reported_and_the_rollback_timed(
    cli: CliRun, staging: Staging, write_manifest: Any
) -> None:
    manifest = write_manifest(drill_manifest(staging, deploy=TO_BAD, rollback=TO_GOOD))
    code, data, stderr = await run_drill(cli, manifest)
    assert code == 1
    failed = by_id(data, "smoke.step-failed")
    assert [(f["evidence"]["step"], f["evidence"]["phase"]) for f in failed] == [
        ("checkout", "smoke after deploy")
    ]
    assert failed[0]["title"] == "Smoke test step checkout failed after the drill's deploy"
    assert by_id(data, "deploy.rollback-failed") == []
    assert by_id(data, "deploy.rollback-slow") == []
    assert staging.live() == "good"
    assert staging.served["bad"] >= 2 and staging.served["good"] >= 3
    deploy = data["extras"]["deploy"]
    table = steps(data)
    assert list(table) == ["deploy", "smoke after deploy", "rollback", "smoke after rollback"]
    assert [table[n]["ok"] for n in table] == [True, False, True, True]
    assert table["rollback"]["command"] == TO_GOOD
    assert table["rollback"]["exit_code"] == 0
    measured = table["rollback"]["seconds"] + table["smoke after rollback"]["seconds"]
    assert abs(deploy["rollback_seconds"] - measured) < 0.01
    assert 0 < deploy["rollback_seconds"] < 5
    assert deploy["budget"] == 5.0 and deploy["rollback_ok"] is True
    assert deploy["failed_smoke_steps"] == {"after deploy": ["checkout"], "after rollback": []}
    smoke_log = await asyncio.to_thread(Path(table["smoke after deploy"]["log"]).read_text)
    assert "FAIL checkout" in smoke_log and "PASS home" in smoke_log
    rollback_log = await asyncio.to_thread(Path(table["rollback"]["log"]).read_text)
    assert rollback_log.startswith(f"$ {TO_GOOD}\n")
    # progress on stderr, one line as each step starts and ends
    assert "launchready: rollback: ok in" in stderr
    assert "launchready: smoke after deploy: FAILED (exit 1)" in stderr


async def test_a_good_drill_has_no_finding(
    cli: CliRun, staging: Staging, write_manifest: Any
) -> None:
    staging.release("good-2", {"index.html": "v3", "healthz": "ok", "checkout": "pay"})
    deploy = "ln -sfn releases/good-2 staging/current"
    manifest = write_manifest(drill_manifest(staging, deploy=deploy, rollback=TO_GOOD))
    code, data, _ = await run_drill(cli, manifest)
    assert (code, data["findings"]) == (0, [])
    assert all(s["ok"] for s in data["extras"]["deploy"]["steps"])
    assert staging.served["good-2"] >= 3


async def test_a_failing_rollback_is_a_blocker(
    cli: CliRun, staging: Staging, write_manifest: Any
) -> None:
    rollback = "echo 'release v41 not found' >&2; exit 3"
    manifest = write_manifest(drill_manifest(staging, deploy=TO_BAD, rollback=rollback))
    code, data, _ = await run_drill(cli, manifest)
    assert code == 1
    (failed,) = by_id(data, "deploy.rollback-failed")
    assert failed["severity"] == "blocker"
    evidence = failed["evidence"]
    assert evidence["exit_code"] == 3
    assert evidence["last_lines"] == ["release v41 not found"]
    assert evidence["failed_steps"] == ["checkout"]
    assert "exited 3" in evidence["reason"]
    phases = sorted(f["evidence"]["phase"] for f in by_id(data, "smoke.step-failed"))
    assert phases == ["smoke after deploy", "smoke after rollback"]
    assert data["extras"]["deploy"]["rollback_ok"] is False
    assert staging.live() == "bad"


async def test_a_rollback_slower_than_the_budget(
    cli: CliRun, staging: Staging, write_manifest: Any
) -> None:
    """The rollback command and its smoke each fit the 2 s budget, together they do not:
    slow, but not failed."""
    staging.release("cold", {"index.html": "v1", "healthz": "ok", "checkout": "pay"})
    staging.release("cold", {"delay": "1.2"})
    rollback = "sleep 1.2 && ln -sfn releases/cold staging/current"
    manifest = write_manifest(
        drill_manifest(staging, deploy=TO_BAD, rollback=rollback, budget="2s")
    )
    code, data, _ = await run_drill(cli, manifest)
    assert code == 1
    (slow,) = by_id(data, "deploy.rollback-slow")
    assert slow["severity"] == "high"
    assert slow["evidence"]["budget_seconds"] == 2.0
    assert slow["evidence"]["rollback_seconds"] > 2.0
    assert by_id(data, "deploy.rollback-failed") == []
    assert data["extras"]["deploy"]["rollback_seconds"] > 2.0


async def test_a_hanging_step_is_killed_with_its_group(
    cli: CliRun, staging: Staging, write_manifest: Any, tmp_path: Path
) -> None:
    hang = "sleep 60 & echo $! > sleeper.pid; wait"
    manifest = write_manifest(drill_manifest(staging, deploy=hang, rollback=TO_GOOD, budget="1s"))
    code, data, stderr = await run_drill(cli, manifest)
    deploy = steps(data)["deploy"]
    assert deploy["timed_out"] is True and deploy["ok"] is False
    assert deploy["exit_code"] is None
    assert 1 <= deploy["seconds"] < 6
    assert "deploy: KILLED at the time limit" in stderr
    sleeper = int(await asyncio.to_thread((tmp_path / "sleeper.pid").read_text))
    assert await asyncio.to_thread(exits_within, sleeper, 10)
    assert steps(data)["rollback"]["ok"]  # the drill went on to the rollback
    assert code == 0  # the store never broke, and the rollback worked


def test_a_production_base_url_is_refused(cli: CliRun, write_manifest: Any, tmp_path: Path) -> None:
    manifest = write_manifest("""
        site: {domain: shop.test, hosts: [{name: www.shop.test, role: storefront}]}
        routes: [{name: home, url: "https://www.shop.test/"}]
        deploy:
          drill:
            base_url: https://www.shop.test
            deploy: "touch deployed"
            rollback: "touch rolled-back"
    """)
    done = cli("deploy", "drill", "-m", manifest)
    assert done.returncode == 2
    assert "production host www.shop.test" in done.stderr
    assert not (tmp_path / "deployed").exists()


def read_fifo(fifo: Path, timeout: float) -> str:
    """What a writer puts in ``fifo``; if none comes within ``timeout``, a dummy writer
    unblocks the reader so the test fails instead of hanging."""
    with ThreadPoolExecutor(1) as pool:
        job = pool.submit(fifo.read_text)
        try:
            return job.result(timeout)
        except FuturesTimeout:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
            raise AssertionError("the deploy step never started") from None


def test_ctrl_c_stops_the_running_step_and_its_children(
    write_manifest: Any, tmp_path: Path
) -> None:
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    manifest = write_manifest(f"""
        site: {{domain: shop.test}}
        routes: [{{name: home, url: "https://www.shop.test/"}}]
        deploy:
          drill:
            base_url: http://127.0.0.1:9
            deploy: "sleep 60 & echo $! > {fifo}; wait"
            rollback: "true"
            budget: 60s
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    # A shell that starts jobs in the background hands them SIGINT ignored; the command
    # under test gets Python's own Ctrl-C handler back, as in a terminal.
    entry = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from launchready.cli import main; sys.argv[0] = 'launchready'; main()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", entry, "deploy", "drill", "-m", str(manifest), "--log-dir", "logs"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sleeper = int(read_fifo(fifo, 30))  # returns once the deploy step is running
        pidfd = os.pidfd_open(sleeper)  # held: the pid cannot be reused under the test
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        ended, _, _ = select.select([pidfd], [], [], 10)
        os.close(pidfd)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 130, stderr
    assert ended, "the deploy step's child survived Ctrl-C"


def test_a_drill_without_its_commands_is_refused_before_anything_runs(write_manifest: Any) -> None:
    manifest = write_manifest("""
        site: {domain: shop.test}
        routes: [{name: home, url: "https://www.shop.test/"}]
        deploy: {drill: {base_url: "http://127.0.0.1:9", deploy: "true"}}
    """)
    with pytest.raises(InputError, match=r"needs deploy\.drill\.rollback"):
        drill_commands(load_manifest(manifest))
