"""``launchready smoke`` through the real command line, against the demo store on loopback."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from launchready.manifest import load_manifest
from tests.cli.test_progress import _run_with_terminal_stderr as run_on_a_terminal
from tests.conftest import CliRun

NO_COLOR = {"NO_COLOR": "1"}


def route_names(manifest: Path) -> list[str]:
    """Every step of a smoke of ``manifest``: its routes, then the chat exchange."""
    return [*(r.name for r in load_manifest(manifest).routes), "chat"]


def test_fixed_store_exits_0_with_every_step_passing(cli: CliRun, fixed: Path) -> None:
    done = cli("smoke", "-m", fixed, "--format", "json", "--timeout", "5s")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    steps = data["extras"]["smoke_steps"]
    assert [s["name"] for s in steps] == route_names(fixed)
    assert all(s["ok"] for s in steps)
    assert data["findings"] == []
    assert data["checks"] == [
        {"area": "smoke", "status": "ran", "duration_ms": data["duration_ms"]}
    ]


def test_flawed_store_exits_1_and_junit_has_one_testcase_per_step(
    cli: CliRun, flawed: Path
) -> None:
    done = cli("smoke", "-m", flawed, "--format", "junit", "--timeout", "5s")
    assert done.returncode == 1, done.stderr
    root = ET.fromstring(done.stdout.split("\n", 1)[1])
    suite = root.find("testsuite[@name='launchready.smoke']")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == route_names(flawed)
    failed = [name for name, c in cases.items() if c.find("failure") is not None]
    assert failed == ["stripe-webhook"]
    failure = cases["stripe-webhook"].find("failure")
    assert failure is not None
    assert "[STATUS] (500) < 500" in (failure.get("message") or "")
    assert all(float(c.get("time") or "0") > 0 for c in cases.values())


def test_fail_on_never_exits_0_even_with_a_failed_step(cli: CliRun, flawed: Path) -> None:
    done = cli("smoke", "-m", flawed, "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    assert [f["id"] for f in json.loads(done.stdout)["findings"]] == ["smoke.step-failed"]


def test_text_report_has_one_line_per_step(cli: CliRun, flawed: Path) -> None:
    done = cli("smoke", "-m", flawed, "--format", "text", env=NO_COLOR)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    assert [line.split()[1] for line in lines] == route_names(flawed)
    webhook = next(line for line in lines if line.split()[1] == "stripe-webhook")
    assert webhook.startswith("FAIL")
    assert "POST https://api.demo-candles.test/webhooks/stripe  500" in webhook
    home = lines[0]
    assert home.startswith("PASS home")
    assert home.endswith(" ms")
    assert "GET https://www.demo-candles.test/  200" in home
    # stderr is not a terminal here: no progress lines, only the report on stdout.
    assert "PASS" not in done.stderr


def test_output_file_and_browser_flag(cli: CliRun, fixed: Path, tmp_path: Path) -> None:
    target = tmp_path / "smoke.xml"
    done = cli("smoke", "-m", fixed, "--browser", "-o", target)
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(target.read_text(encoding="utf-8").split("\n", 1)[1])
    cases = [case.get("name") for case in root.findall("testsuite/testcase")]
    assert cases == [*route_names(fixed), "chat-widget"]
    assert done.stdout == ""


def test_base_url_sends_the_routes_to_another_origin(cli: CliRun, fixed: Path) -> None:
    api = "https://api.demo-candles.test"
    done = cli("smoke", "-m", fixed, "--format", "json", "--base-url", api)
    assert done.returncode == 1, done.stderr
    steps = {s["name"]: s for s in json.loads(done.stdout)["extras"]["smoke_steps"]}
    assert steps["home"]["target"] == f"{api}/"
    assert steps["home"]["ok"]
    assert steps["product"]["failed"] == ["[STATUS] (404) < 400"]
    assert steps["health"]["ok"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-m", "missing.yaml"), "missing.yaml"),
        (("--base-url", "https://staging.shop.test/app"), "--base-url"),
        (("--timeout", "soon"), "not a duration"),
        (("--fail-on", "sometimes"), "--fail-on"),
    ],
)
def test_bad_input_exits_2(
    cli: CliRun, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "launchready.yaml").write_text(
        "site: {domain: shop.test}\nroutes:\n  - {name: home, url: 'https://www.shop.test/'}\n"
    )
    done = cli("smoke", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_manifest_without_routes_exits_2(cli: CliRun, tmp_path: Path) -> None:
    (tmp_path / "launchready.yaml").write_text("site: {domain: shop.test}\n")
    done = cli("smoke")
    assert done.returncode == 2
    assert "no routes to smoke-test" in done.stderr
    assert done.stdout == ""


def test_progress_lines_on_a_terminal_only_without_quiet(flawed: Path) -> None:
    code, stdout, stderr = run_on_a_terminal("smoke", "-m", flawed)
    assert code == 1
    assert len(json.loads(stdout)["extras"]["smoke_steps"]) == len(route_names(flawed))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    progress = [line for line in plain.splitlines() if line.startswith(("PASS ", "FAIL "))]
    assert sorted(line.split()[1] for line in progress) == sorted(route_names(flawed))
    assert any("FAIL stripe-webhook" in line for line in progress)
    code, stdout, stderr = run_on_a_terminal("smoke", "-m", flawed, "-q")
    assert code == 1
    assert "PASS " not in stderr
