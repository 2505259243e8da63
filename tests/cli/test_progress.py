"""The progress display goes to stderr, only when stderr is a terminal; stdout stays the report."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path


def _run_with_terminal_stderr(*args: str | Path) -> tuple[int, str, str]:
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "launchready", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        text=True,
    )
    os.close(follower)
    stdout, _ = process.communicate(timeout=60)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closes when the child exits
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return process.returncode, stdout, b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal_stderr_and_a_clean_report_on_stdout(
    minimal_manifest: Path,
) -> None:
    code, stdout, stderr = _run_with_terminal_stderr(
        "audit", "-m", minimal_manifest, "--only", "launch,monitor"
    )
    assert code == 1
    assert json.loads(stdout)["site"] == "shop.test"  # piped stdout: JSON, no progress mixed in
    assert "launch: " in stderr and "monitor: " in stderr
    assert "findings" in stderr


def test_quiet_silences_the_progress(minimal_manifest: Path) -> None:
    code, stdout, stderr = _run_with_terminal_stderr(
        "audit", "-m", minimal_manifest, "--only", "launch", "-q"
    )
    assert code == 1
    assert json.loads(stdout)["findings"]
    assert "launch: " not in stderr
