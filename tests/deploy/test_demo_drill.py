"""``launchready deploy drill`` against the demo's own staging releases (a ``current``
symlink switched by real ``ln -sfn`` commands): the flawed demo deploys the bad release and
its rollback leaves staging broken, a blocker; the fixed demo's rollback works and is timed.
Each test runs its own demo store, since a drill changes what staging serves."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRun

from launchready.demo import DemoStore


def drill(cli: CliRun, tmp_path: Path, *, fixed: bool) -> tuple[int, dict[str, object]]:
    with DemoStore(tmp_path / "demo", fixed=fixed) as store:
        result = cli("deploy", "drill", "-m", store.manifest_path, "--format", "json", "-q")
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_flawed_demo_reports_the_broken_deploy_and_a_failed_rollback(
    cli: CliRun, tmp_path: Path
) -> None:
    code, report = drill(cli, tmp_path, fixed=False)
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list)
    ids = {f["id"] for f in findings}
    assert ids == {"smoke.step-failed", "deploy.rollback-failed"}
    rollback = next(f for f in findings if f["id"] == "deploy.rollback-failed")
    assert rollback["severity"] == "blocker"
    checkout = [f for f in findings if f["id"] == "smoke.step-failed" and "checkout" in f["target"]]
    assert checkout, "the bad release's broken checkout is reported"


def test_the_fixed_demo_rolls_back_and_times_it(cli: CliRun, tmp_path: Path) -> None:
    code, report = drill(cli, tmp_path, fixed=True)
    assert code == 0
    assert report["findings"] == []
    deploy = report["extras"]["deploy"]  # type: ignore[index]
    assert deploy["rollback_ok"] is True
    assert 0 < deploy["rollback_seconds"] < deploy["budget"]
    assert [s["name"] for s in deploy["steps"]][:1] == ["deploy"]
