"""SARIF 2.1.0: what code-scanning dashboards read."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from launchready import catalog
from launchready.findings import Report, Severity, sort_findings
from launchready.report.sarif import LEVELS, render

from .conftest import ERROR_REASON, HOSTILE, SKIP_REASON


def run_of(report: Report) -> dict[str, Any]:
    log = json.loads(render(report))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def result_for(run: dict[str, Any], finding_id: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [r for r in run["results"] if r["ruleId"] == finding_id]
    assert len(matches) == 1
    return matches[0]


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.BLOCKER, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_level_mapping(severity: Severity, level: str) -> None:
    assert LEVELS[severity] == level


def test_every_result_has_the_level_of_its_severity(report: Report) -> None:
    run = run_of(report)
    by_id = {f.id: f for f in report.findings}
    for result in run["results"]:
        assert result["level"] == LEVELS[by_id[result["ruleId"]].severity]
    assert result_for(run, "web.headers-missing")["level"] == "error"
    assert result_for(run, "email.dmarc-policy-none")["level"] == "warning"
    assert result_for(run, "dns.dnssec-missing")["level"] == "note"


def test_driver_and_one_rule_per_distinct_id(report: Report) -> None:
    driver = run_of(report)["tool"]["driver"]
    assert driver["name"] == "launchready"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    rule_ids = [r["id"] for r in driver["rules"]]
    assert sorted(rule_ids) == sorted({f.id for f in report.findings})
    leak = next(r for r in driver["rules"] if r["id"] == "web.error-leak")
    entry = catalog.entry("web.error-leak")
    assert leak["help"]["text"] == entry.fix
    assert leak["helpUri"] == entry.references[0]
    assert leak["shortDescription"]["text"] == entry.title.replace("{target}", "<target>")
    assert all(
        len(r["properties"]["tags"]) == len(set(r["properties"]["tags"])) for r in driver["rules"]
    )


def test_results_point_at_their_rule_in_report_order(report: Report) -> None:
    run = run_of(report)
    rules = run["tool"]["driver"]["rules"]
    assert [r["ruleId"] for r in run["results"]] == [f.id for f in sort_findings(report.findings)]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_fingerprints_and_messages(report: Report) -> None:
    run = run_of(report)
    for item in report.findings:
        result = result_for(run, item.id)
        assert result["partialFingerprints"] == {"launchready/v1": item.fingerprint}
        assert item.title in result["message"]["text"]
    assert result_for(run, "web.error-leak")["properties"]["evidence"]["body"] == HOSTILE


def test_locations_by_kind_of_target(report: Report) -> None:
    run = run_of(report)
    secret = result_for(run, "secrets.in-tree")["locations"][0]["physicalLocation"]
    assert secret == {"artifactLocation": {"uri": "src/settings.py"}, "region": {"startLine": 42}}
    page = result_for(run, "web.error-leak")["locations"][0]["physicalLocation"]
    assert page == {"artifactLocation": {"uri": "https://shop.example/debug"}}
    host = result_for(run, "dns.dangling-cname")["locations"][0]
    assert host == {"logicalLocations": [{"name": "promo.shop.example", "kind": "resource"}]}


@pytest.mark.parametrize(
    ("target", "physical"),
    [
        (".env:3", True),
        ("access.log:120", True),
        ("C:\\repo\\app.js:9", True),
        ("shop.example:8443", False),
        ("shop.example", False),
    ],
)
def test_path_line_is_told_apart_from_host_port(
    report: Report, target: str, physical: bool
) -> None:
    item = replace(report.findings[0], target=target)
    location = run_of(replace(report, findings=(item,)))["results"][0]["locations"][0]
    assert ("physicalLocation" in location) is physical


def test_areas_that_did_not_run_are_notifications(report: Report) -> None:
    invocation = run_of(report)["invocations"][0]
    assert invocation["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert texts == [f"perf skipped: {SKIP_REASON}", f"chatbot error: {ERROR_REASON}"]


def test_empty_report_has_no_results(empty_report: Report) -> None:
    run = run_of(empty_report)
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
