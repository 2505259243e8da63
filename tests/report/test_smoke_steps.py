"""The smoke steps in the renderers: every step listed with its timing, failures explained."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import jsonschema
import pytest

from launchready import catalog
from launchready.conditions import ConditionResult
from launchready.findings import AttemptStatus, CheckAttempt, Report, Severity, area_report
from launchready.report import Format, render, report_from_json
from launchready.report.json_report import schema
from launchready.report.smokeview import smoke_rows
from launchready.smoke import StepResult, smoke_findings

from .conftest import HOSTILE

API = "https://api.shop.example"


def step(
    name: str, kind: str, status: int | None, ok: bool, resolved: str, elapsed: float | None
) -> StepResult:
    return StepResult.judged(
        name,
        kind,
        f"{API}/{name}",
        [ConditionResult(ok, resolved)],
        elapsed_ms=elapsed,
        error=None if status is not None else "connect: Connection refused",
        evidence={"method": "GET", "status": status},
    )


STEPS = [
    step("home", "route", 200, True, "[STATUS] (200) < 400", 84.2),
    step("health", "health", 503, False, "[STATUS] (503) == 200", 12.0),
    step("cart", "checkout", None, False, "[STATUS] (no answer) < 400", 1.4),
    step("hostile", "route", 500, False, f'[BODY] ("{HOSTILE}") contains "ok"', 2500.0),
]


@pytest.fixture
def smoke_report() -> Report:
    # A finding for a step the list does not hold (an edited report) keeps its own case.
    extra = catalog.finding("smoke.step-failed", target=f"{API}/ghost", evidence={"step": "ghost"})
    return area_report(
        "shop.example",
        CheckAttempt("smoke", AttemptStatus.RAN, 2600),
        [*smoke_findings(STEPS), extra],
        started_at=datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
        extras={"smoke_steps": [s.to_json() for s in STEPS]},
    )


def test_text_lists_every_step_on_its_own_line(smoke_report: Report) -> None:
    text = render(smoke_report, Format.TEXT, width=400)
    block = text.split("Smoke steps", 1)[1].split("Checks", 1)[0]
    lines = [line for line in block.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(lines) == len(STEPS)
    assert lines[0].split() == ["PASS", "home", "GET", f"{API}/home", "200", "84", "ms"]
    assert lines[1].startswith("FAIL health")
    assert lines[1].endswith("503  12 ms  [STATUS] (503) == 200")
    assert lines[2].endswith("-  1 ms  [STATUS] (no answer) < 400; connect: Connection refused")
    assert "2500 ms" in lines[3]
    assert "\x1b" not in text


def test_text_without_smoke_steps_has_no_smoke_block(report: Report) -> None:
    assert "Smoke steps" not in render(report, Format.TEXT)


def parse(report: Report, fail_on: Severity | None = Severity.HIGH) -> ET.Element:
    return ET.fromstring(render(report, Format.JUNIT, fail_on=fail_on).split("\n", 1)[1])


def test_junit_has_one_testcase_per_step(smoke_report: Report) -> None:
    root = parse(smoke_report)
    suite = root.find("testsuite[@name='launchready.smoke']")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "home",
        "health",
        "cart",
        "hostile",
        f"{API}/ghost",
    ]
    assert [c.get("time") for c in cases[:4]] == ["0.084", "0.012", "0.001", "2.500"]
    assert cases[0].find("failure") is None
    assert "PASS home" in (cases[0].findtext("system-out") or "")
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "smoke.step-failed: health: [STATUS] (503) == 200"
    assert failure.get("type") == "blocker"
    assert "[STATUS] (503) == 200" in (failure.text or "")
    assert cases[4].find("failure") is not None
    assert suite.get("tests") == "5"
    assert suite.get("failures") == "4"
    assert root.get("failures") == "4"


def test_junit_step_failures_follow_the_threshold(smoke_report: Report) -> None:
    suite = parse(smoke_report, fail_on=None).find("testsuite[@name='launchready.smoke']")
    assert suite is not None
    assert suite.get("failures") == "0"
    health = suite.find("testcase[@name='health']")
    assert health is not None
    assert "[STATUS] (503) == 200" in (health.findtext("system-out") or "")


def test_junit_without_smoke_steps_is_unchanged(report: Report) -> None:
    assert render(report, Format.JUNIT) == render(report, Format.JUNIT)
    root = parse(report)
    assert all(s.get("name") != "launchready.smoke" for s in root.findall("testsuite"))


def test_json_keeps_the_steps_and_validates(smoke_report: Report) -> None:
    data = json.loads(render(smoke_report, Format.JSON))
    jsonschema.Draft202012Validator(schema()).validate(data)
    assert data["extras"]["smoke_steps"] == [s.to_json() for s in STEPS]
    again = report_from_json(render(smoke_report, Format.JSON))
    assert smoke_rows(again) == smoke_rows(smoke_report)


def test_malformed_entries_are_skipped_not_fatal(smoke_report: Report) -> None:
    broken = area_report(
        "shop.example",
        CheckAttempt("smoke", AttemptStatus.RAN, 1),
        [],
        started_at=smoke_report.started_at,
        extras={"smoke_steps": [{"ok": True}, "x", {"name": "home", "elapsed_ms": "fast"}]},
    )
    rows = smoke_rows(broken)
    assert [(r.name, r.verdict, r.elapsed) for r in rows] == [("home", "FAIL", "-")]
    assert "FAIL home" in render(broken, Format.TEXT)
