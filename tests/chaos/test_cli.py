"""``launchready chaos`` as a real process: the staging gate, the report, and a clean end
on Ctrl-C and SIGTERM in the middle of an experiment (no listener left on the ports)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.chaos.lab import NAIVE, Lab, running
from tests.chaos.test_experiments import refused
from tests.conftest import CliRun


async def launchready(*args: str | Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launchready",
        *map(str, args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )


def unreachable_lab() -> Lab:
    return Lab(NAIVE, smtp_port=1, llm_port=1, store="http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("https://www.shop.test", "names the production host www.shop.test"),
        ("https://shop.test:8443", "names the production host shop.test"),
    ],
)
def test_a_production_base_url_is_refused(
    base_url: str, message: str, cli: CliRun, tmp_path: Path
) -> None:
    lab = unreachable_lab()
    result = cli("chaos", "-m", lab.write(tmp_path, base_url=base_url))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_no_drill_base_url_and_bad_options_are_bad_input(
    cli: CliRun, write_manifest: Callable[[str], Path], tmp_path: Path
) -> None:
    bare = write_manifest("site: {domain: shop.test}\n")
    result = cli("chaos", "-m", bare)
    assert result.returncode == 2 and "deploy.drill.base_url" in result.stderr
    manifest = unreachable_lab().write(tmp_path)
    result = cli("chaos", "-m", manifest, "--fault", "latency,flood")
    assert result.returncode == 2 and "unknown fault flood" in result.stderr
    result = cli("chaos", "-m", manifest, "--dependency", "payments")
    assert result.returncode == 2 and "no dependency named payments" in result.stderr
    result = cli("chaos", "-m", manifest, "--cap", "0s")
    assert result.returncode == 2 and "--cap" in result.stderr


async def test_the_report_holds_the_findings_and_the_route_by_fault_table(
    tmp_path: Path,
) -> None:
    async with running(NAIVE) as lab:
        manifest = lab.write(tmp_path)
        process = await launchready(
            "chaos", "-m", manifest, "--dependency", "email-provider", "--fault", "latency,refuse",
            "--latency", "250ms", "--cap", "2s", "--format", "json",
        )  # fmt: skip
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1, stderr.decode()  # medium, raised to high on checkout
    assert stderr == b""
    report = json.loads(stdout)
    assert {(f["id"], f["severity"]) for f in report["findings"]} == {
        ("deps.blocking-call", "high"),
        ("deps.no-fallback", "high"),
    }
    (dep,) = report["extras"]["chaos"]["dependencies"]
    rows = {e["fault"]: e["results"][0] for e in dep["experiments"]}
    assert rows["baseline"]["status"] == 200 and rows["refuse"]["status"] == 500
    assert rows["latency"]["elapsed_ms"] >= 1000  # six SMTP round trips at 250 ms
    assert report["checks"] == [
        {"area": "chaos", "status": "ran", "duration_ms": report["checks"][0]["duration_ms"]}
    ]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
async def test_killing_it_mid_experiment_leaves_no_listener(
    sig: signal.Signals, code: int, tmp_path: Path
) -> None:
    async with running(NAIVE) as lab:
        manifest = lab.write(tmp_path)
        process = await launchready(
            "chaos", "-m", manifest, "--fault", "hang", "--cap", "30s", "--format", "json"
        )
        await lab.wait_calls("/checkout", 2)  # the baseline, then the request under the hang
        assert not await refused(lab.mail_listen)  # the proxy is up, hanging the mail
        process.send_signal(sig)
        signalled = time.perf_counter()
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
        assert time.perf_counter() - signalled < 10
        assert process.returncode == code, stderr.decode()
        assert b"Traceback" not in stderr and stdout == b""
        assert await refused(lab.mail_listen) and await refused(lab.llm_listen)


def test_progress_lines_name_each_target_and_its_answer(capsys: pytest.CaptureFixture[str]) -> None:
    from launchready.chaos.experiments import Experiment, Outcome
    from launchready.cli.chaos import _progress

    experiment = Experiment(
        "hang",
        "hang",
        2000.0,
        (Outcome("chatbot", None, 2001.0, "no answer"), Outcome("checkout", 200, 12.0, "ok")),
    )
    _progress()("llm", "hang", experiment)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "! chaos llm [hang]: chatbot no answer 2.00s, checkout 200 0.01s" in captured.err
