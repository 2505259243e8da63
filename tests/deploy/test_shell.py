"""The shell step runner on its own: redacted logs, endless lines, background children,
commands that cannot start."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.deploy.conftest import process_alive

from launchready.deploy.shell import DRAIN_GRACE, LogDir, run_shell
from launchready.redact import Redactor


async def test_output_is_redacted_line_by_line_and_long_lines_survive(tmp_path: Path) -> None:
    secret = "hunter2-correct-horse-battery"
    command = (
        "printf 'token=%s\\n' \"$DEPLOY_TOKEN\"; "
        "python3 -c \"print('x' * 300000, end='')\"; echo; echo done"
    )
    result = await run_shell(
        "deploy",
        command,
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "DEPLOY_TOKEN": secret},
        limit=20,
        log=tmp_path / "logs" / "deploy.log",
        redact=Redactor({secret: "DEPLOY_TOKEN"}),
    )
    assert result.ok and result.exit_code == 0
    text = result.log.read_text()
    assert secret not in text
    assert "token=${DEPLOY_TOKEN}\n" in text
    assert text.count("x") >= 300000
    assert result.tail[-1] == "done"
    assert all(len(line) <= 500 for line in result.tail)


async def test_a_child_left_in_the_background_does_not_hold_the_step(tmp_path: Path) -> None:
    result = await run_shell(
        "deploy",
        "sleep 30 & echo $! > bg.pid; echo started",
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"]},
        limit=20,
        log=tmp_path / "deploy.log",
    )
    pid = int((tmp_path / "bg.pid").read_text())
    try:
        assert result.ok
        assert result.seconds < DRAIN_GRACE + 5
        assert result.tail == ("started",)
    finally:
        if process_alive(pid):
            os.kill(pid, signal.SIGKILL)


async def test_a_step_that_cannot_start_is_a_failed_step(tmp_path: Path) -> None:
    result = await run_shell(
        "deploy",
        "true",
        cwd=tmp_path / "missing",
        env={"PATH": os.environ["PATH"]},
        limit=5,
        log=tmp_path / "deploy.log",
    )
    assert not result.ok and result.exit_code is None and not result.timed_out
    assert result.tail[0].startswith("launchready: could not start the step")


def test_log_files_are_numbered_in_run_order(tmp_path: Path) -> None:
    logs = LogDir(tmp_path)
    assert logs.file("build (clean clone)").name == "01-build-clean-clone.log"
    assert logs.file("smoke after deploy").name == "02-smoke-after-deploy.log"
