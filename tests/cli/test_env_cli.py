"""``launchready env check`` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REGISTER = """
import sys
from launchready.cli import app
from launchready.cli.exits import run_command
from launchready.cli.{module} import {name}_app as sub
if "{name}" not in {{g.name for g in app.registered_groups}}:
    app.add_typer(sub, name="{name}")
sys.exit(run_command(app))
"""
"""Runs the CLI with the sub-app registered whether or not cli/__init__ already does it."""


def run_cli(
    cwd: Path, module: str, *args: str | Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment["NO_COLOR"] = "1"
    code = REGISTER.format(module=module, name=module)
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def envs(tmp_path: Path, production: str, staging: str) -> Path:
    (tmp_path / ".env.example").write_text("API_KEY=\nSESSION_SECRET=\nPORT=\n")
    (tmp_path / ".env.production").write_text(production)
    (tmp_path / ".env.staging").write_text(staging)
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(
        "site:\n  domain: shop.test\n"
        "environments:\n  required: .env.example\n"
        "  files: {production: .env.production, staging: .env.staging}\n"
    )
    return manifest


def test_clean_environments_exit_0(tmp_path: Path) -> None:
    envs(
        tmp_path,
        "API_KEY=prod-key-0001\nSESSION_SECRET=prod-session-01\nPORT=80\n",
        "API_KEY=stag-key-0001\nSESSION_SECRET=stag-session-01\nPORT=80\n",
    )
    result = run_cli(tmp_path, "env", "env", "check", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["findings"] == []
    assert document["checks"][0]["area"] == "env"


def test_missing_name_exits_1_and_shared_value_is_medium(tmp_path: Path) -> None:
    envs(
        tmp_path,
        "API_KEY=shared-key-0001\nPORT=80\n",
        "API_KEY=shared-key-0001\nSESSION_SECRET=stag-session-01\nPORT=80\n",
    )
    result = run_cli(tmp_path, "env", "env", "check", "--format", "json")
    assert result.returncode == 1, result.stderr
    found = {(f["id"], f["severity"], f["target"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {
        ("env.missing", "blocker", ".env.production"),
        ("env.shared-value", "medium", "API_KEY"),
    }
    assert "shared-key-0001" not in result.stdout + result.stderr
    medium_only = run_cli(tmp_path, "env", "env", "check", "--fail-on", "blocker", "-q")
    assert medium_only.returncode == 1
    (tmp_path / ".env.production").write_text(
        "API_KEY=shared-key-0001\nSESSION_SECRET=prod-session-01\nPORT=80\n"
    )
    assert run_cli(tmp_path, "env", "env", "check", "--fail-on", "blocker").returncode == 0
    assert run_cli(tmp_path, "env", "env", "check", "--fail-on", "medium").returncode == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no-manifest", "launchready.yaml"),
        ("no-section", "no environments.files"),
        ("unreadable", "cannot read environment file"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, setup: str, message: str) -> None:
    if setup != "no-manifest":
        manifest = envs(tmp_path, "A=1\n", "A=1\n")
        if setup == "no-section":
            manifest.write_text("site:\n  domain: shop.test\n")
        else:
            (tmp_path / ".env.staging").unlink()
    result = run_cli(tmp_path, "env", "env", "check")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
