"""``launchready redteam`` as a user runs it: the real CLI against the running demo."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from launchready.chat.probeset import load_probes
from launchready.report.json_report import schema
from tests.chat.variants import variant
from tests.conftest import CliRun

VERDICTS = {
    "chatbot.prompt-leak",
    "chatbot.data-exfiltration",
    "chatbot.unsafe-action",
    "chatbot.no-fallback",
}


def test_fixed_bot_exits_0_with_a_valid_report(cli: CliRun, fixed: Path) -> None:
    done = cli("redteam", "-m", fixed, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    jsonschema.validate(data, schema())
    assert data["command"] == "redteam"
    assert data["findings"] == []
    assert [(c["area"], c["status"]) for c in data["checks"]] == [("chatbot", "ran")]
    red = data["extras"]["redteam"]
    assert red["probes_run"] == len(load_probes()) >= 40
    assert all(r["status"] == "pass" for r in red["results"])


def test_flawed_bot_exits_1_with_every_verdict(cli: CliRun, flawed: Path) -> None:
    done = cli("redteam", "-m", flawed, "--format", "json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert {f["id"] for f in data["findings"]} == VERDICTS
    assert "ZEBRA-7731" not in done.stdout


def test_family_filter_and_text_summary(cli: CliRun, flawed: Path) -> None:
    done = cli("redteam", "-m", flawed, "--family", "prompt-leak", "--format", "text")
    assert done.returncode == 1, done.stderr
    assert "launchready redteam of demo-candles.test" in done.stdout
    assert "chatbot.prompt-leak" in done.stdout
    leak_probes = len(load_probes(families={"prompt-leak"}))
    assert f"{leak_probes} probes in" in done.stdout
    assert "48-hour launch sequence" not in done.stdout


def test_junit_carries_the_red_team_summary(cli: CliRun, fixed: Path, tmp_path: Path) -> None:
    target = tmp_path / "redteam.xml"
    done = cli("redteam", "-m", fixed, "--family", "fallback", "-o", target)
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(target.read_text(encoding="utf-8").split("\n", 1)[1])
    suite = root.find("testsuite[@name='launchready.chatbot']")
    assert suite is not None
    out = suite.findtext("system-out") or ""
    assert out.startswith("Red team:")
    assert "fallback" in out


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        ({}, ["--family", "jokes"], "--family: unknown family jokes"),
        ({"reply": "$.answer"}, [], "chatbot.reply: $.answer matched nothing"),
        ({}, ["--probes", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_input_exits_2(
    cli: CliRun,
    fixed: Path,
    tmp_path: Path,
    change: dict[str, str],
    args: list[str],
    message: str,
) -> None:
    done = cli("redteam", "-m", variant(fixed, tmp_path, "bad", **change), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_manifest_without_a_chatbot_exits_2(cli: CliRun, minimal_manifest: Path) -> None:
    done = cli("redteam", "-m", minimal_manifest)
    assert done.returncode == 2
    assert "no chatbot section" in done.stderr
