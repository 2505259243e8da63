"""Run the real ``launchready`` command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> CliRun:
    """``cli("audit", "-m", path, env={...})``: the completed process, text mode."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        environment.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "launchready", *map(str, args)],
            capture_output=True,
            text=True,
            env=environment,
            cwd=tmp_path,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def flawed_report(flawed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handover") / "audit.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run(
        [sys.executable, "-m", "launchready", "audit", "-m", str(flawed), "-q", "-o", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # the flawed demo has findings
    return path
