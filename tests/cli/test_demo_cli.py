"""``launchready demo`` end to end through the real CLI: real servers on loopback."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jsonschema
import pytest

from launchready.demo import FLAWS
from launchready.demo.flaws import AUDIT
from launchready.findings import Severity
from launchready.report import Format, render
from launchready.report.json_report import report_from_json, schema
from tests.conftest import CliRun

DEMO_BUDGET_S = 60  # generous wall-clock guard against a hang; speed lives in bench/


def _demo_processes() -> list[str]:
    """Command lines of live processes that belong to a demo store (there must be none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "launchready-demo-" in cmdline:
                found.append(cmdline)
    return found


def test_flawed_demo_exits_1_with_a_risk_list(cli: CliRun) -> None:
    result = cli("demo", "--format", "text", timeout=DEMO_BUDGET_S)
    assert result.returncode == 1, result.stderr
    assert "Ready to launch: no" in result.stdout
    assert "launch.secrets-store-undocumented" in result.stdout
    assert "monitor.not-configured" in result.stdout
    assert "Traceback" not in result.stderr
    assert _demo_processes() == []
    assert not list(Path(tempfile.gettempdir()).glob("launchready-demo-*"))


def test_demo_json_validates_and_every_format_renders_the_same_report(cli: CliRun) -> None:
    result = cli("demo", "--format", "json", timeout=DEMO_BUDGET_S)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema())
    assert document["site"] == "demo-candles.test"
    assert document["ready"] is False
    found = {f["id"] for f in document["findings"]}
    implemented = {c["area"] for c in document["checks"] if c["status"] == "ran"}
    planted = {
        flaw.finding_id for flaw in FLAWS if flaw.area in implemented and flaw.found_by == AUDIT
    }
    assert planted, "the demo plants flaws in the implemented areas"
    assert planted <= found
    report = report_from_json(result.stdout)
    for fmt in Format:
        text = render(report, fmt)
        for finding in report.findings:
            assert finding.id in text, (fmt, finding.id)


def test_fixed_demo_is_clean_at_medium_and_above(cli: CliRun) -> None:
    result = cli(
        "demo", "--fixed", "--format", "json", "--fail-on", "medium", timeout=DEMO_BUDGET_S
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    serious = [f for f in document["findings"] if Severity(f["severity"]).at_least(Severity.MEDIUM)]
    assert serious == []
    assert document["ready"] is True
    assert all(c["status"] != "error" for c in document["checks"]), document["checks"]


def test_keep_running_serves_until_interrupted_then_cleans_up(
    cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A demo store of this test session shares its token through this process's
    # environment; this test plays a shell of its own, which has none.
    monkeypatch.delenv("LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN", raising=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "launchready",
            "demo",
            "--keep-running",
            "--format",
            "json",
            "-o",
            str(tmp_path / "report.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        manifest = _wait_for_manifest(process)
        # Another shell loads the demo's Cloudflare token first, as the manifest's header says.
        token_env = _demo_env(manifest.parent / "demo.env")
        again = cli("audit", "-m", manifest, "--only", "launch,monitor", "--format", "json")
        assert again.returncode == 2 and "LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN" in again.stderr
        again = cli(
            "audit", "-m", manifest, "--only", "launch,monitor", "--format", "json", env=token_env
        )
        assert again.returncode == 1, again.stderr
        assert json.loads(again.stdout)["site"] == "demo-candles.test"
        assert list(token_env) == ["LAUNCHREADY_DEMO_CLOUDFLARE_TOKEN"]
        assert all(token not in again.stdout + again.stderr for token in token_env.values())
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 1
    assert not manifest.exists()
    report = (tmp_path / "report.json").read_text()
    assert json.loads(report)["ready"] is False
    assert "cloudflare.dev-mode-on" in report
    assert all(token not in report for token in token_env.values())


def _demo_env(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of the demo's ``demo.env`` (what ``. ./demo.env`` would set)."""
    lines = path.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return dict(pairs)


def _wait_for_manifest(process: subprocess.Popen[str]) -> Path:
    """Read stderr lines (on a thread, into a queue) until the demo prints its manifest path."""
    assert process.stderr is not None
    stream = process.stderr
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    deadline = time.monotonic() + DEMO_BUDGET_S
    seen = ""
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        seen += line
        if "Its manifest:" in line:
            return Path(line.split("Its manifest:", 1)[1].strip())
    raise AssertionError(f"the demo never printed its manifest path:\n{seen}")
