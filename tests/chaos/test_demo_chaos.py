"""``launchready chaos`` against the demo's staging store and its real dependencies (the
demo's SMTP provider and LLM service, reached through the manifest's listen addresses):
the flawed demo shows every ``deps.*`` problem, the fixed one none. Short cap and latency
keep it quick; each test runs its own demo store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchready.demo import DemoStore
from tests.conftest import CliRun


@pytest.mark.parametrize(
    ("fixed", "expected"),
    [
        (False, {"deps.no-timeout", "deps.blocking-call", "deps.no-fallback", "deps.no-cache"}),
        (True, set()),
    ],
)
def test_chaos_on_the_demo(cli: CliRun, tmp_path: Path, fixed: bool, expected: set[str]) -> None:
    with DemoStore(tmp_path / "demo", fixed=fixed) as store:
        result = cli(
            "chaos",
            "-m",
            store.manifest_path,
            "--cap",
            "3s",
            "--latency",
            "1s",
            "--format",
            "json",
            "-q",
        )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert {f["id"] for f in report["findings"]} == expected
    assert report["extras"]["chaos"]
