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
