"""The JSON report: the cli.md schema exactly, and a lossless way back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest

from launchready.errors import InputError
from launchready.findings import Report, Severity, sort_findings
from launchready.report import report_from_json
from launchready.report.common import iso_utc
from launchready.report.json_report import render, schema, to_dict

from .conftest import ERROR_REASON, HOSTILE, SKIP_REASON


def validate(data: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(data)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("name", ["report", "empty_report"])
def test_render_validates_against_the_schema(name: str, request: pytest.FixtureRequest) -> None:
    validate(json.loads(render(request.getfixturevalue(name))))


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d.pop("summary"), id="missing-summary"),
        pytest.param(lambda d: d["summary"].pop("info"), id="summary-lacks-a-severity"),
        pytest.param(lambda d: d["findings"][0].update(severity="critical"), id="unknown-severity"),
        pytest.param(lambda d: d["findings"][0].update(stage="launch"), id="unknown-stage"),
        pytest.param(lambda d: d["findings"][0].update(color="red"), id="extra-finding-key"),
        pytest.param(lambda d: d["findings"][0].pop("fingerprint"), id="missing-fingerprint"),
        pytest.param(lambda d: d.update(started_at="2026-11-22 15:00"), id="started-at-not-iso-z"),
        pytest.param(lambda d: d["checks"][0].update(reason="x"), id="ran-with-reason"),
        pytest.param(lambda d: d["checks"][-2].pop("reason"), id="skipped-without-reason"),
        pytest.param(lambda d: d["checks"][-1].update(status="crashed"), id="unknown-status"),
        pytest.param(lambda d: d.update(extra=1), id="extra-top-level-key"),
        pytest.param(lambda d: d.update(extras={}), id="empty-extras"),
    ],
)
def test_schema_rejects_what_cli_md_does_not_allow(report: Report, mutate: Any) -> None:
    data = to_dict(report)
    mutate(data)
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_top_level_keys_and_order_follow_cli_md(report: Report) -> None:
    data = json.loads(render(report))
    assert list(data) == [
        "tool",
        "site",
        "started_at",
        "duration_ms",
        "ready",
        "summary",
        "findings",
        "checks",
        "command",
    ]
    assert data["command"] == "audit"
    assert data["tool"] == {"name": "launchready", "version": "0.1.0"}
    assert data["started_at"] == "2026-11-22T15:00:00Z"
    assert data["ready"] is False
    assert data["summary"] == {"blocker": 3, "high": 4, "medium": 2, "low": 2, "info": 1}


def test_findings_are_in_report_order_with_every_field(report: Report) -> None:
    data = json.loads(render(report))
    assert [f["id"] for f in data["findings"]] == [f.id for f in sort_findings(report.findings)]
    ranks = [list(Severity).index(Severity(f["severity"])) for f in data["findings"]]
    assert ranks == sorted(ranks)
    assert data["findings"][0]["id"] == "launch.checkout-untested"
    leak = next(f for f in data["findings"] if f["id"] == "web.error-leak")
    assert leak["evidence"]["body"] == HOSTILE
    assert leak["impact"] == ["data", "trust"]
    assert leak["why"]


def test_checkout_escalation_shows_in_the_severity(report: Report) -> None:
    data = json.loads(render(report))
    headers = next(f for f in data["findings"] if f["id"] == "web.headers-missing")
    assert headers["severity"] == "high"


def test_checks_carry_their_status_specific_key(report: Report) -> None:
    checks = {c["area"]: c for c in json.loads(render(report))["checks"]}
    assert checks["dns"] == {"area": "dns", "status": "ran", "duration_ms": 120}
    assert checks["perf"]["reason"] == SKIP_REASON
    assert checks["chatbot"]["error"] == ERROR_REASON
    assert "error" not in checks["perf"]
    assert "reason" not in checks["chatbot"]


def test_extras_appear_only_when_there_are_some(report: Report) -> None:
    assert "extras" not in json.loads(render(report))
    with_map = replace(report, extras={"dns_map": [{"name": "shop.example", "type": "A"}]})
    data = json.loads(render(with_map))
    assert data["extras"] == {"dns_map": [{"name": "shop.example", "type": "A"}]}
    validate(data)


def test_started_at_is_converted_to_utc() -> None:
    moment = datetime(2026, 11, 22, 17, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))
    assert iso_utc(moment) == "2026-11-22T15:00:00.250Z"
    assert iso_utc(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"


def test_round_trip_gives_back_the_same_report(report: Report) -> None:
    back = report_from_json(render(report))
    assert back.site == report.site
    assert back.started_at == report.started_at
    assert back.checks == report.checks
    assert back.findings == sort_findings(report.findings)
    assert sort_findings(back.findings) == back.findings
    assert render(back) == render(report)


def test_round_trip_keeps_extras_and_empty_reports(empty_report: Report) -> None:
    with_extras = replace(empty_report, extras={"redirects": [["http://a", "https://a", 301]]})
    back = report_from_json(render(with_extras))
    assert back.extras == with_extras.extras
    assert back.findings == ()
    assert render(back) == render(with_extras)


def test_unknown_finding_id_from_a_newer_version_is_kept(report: Report) -> None:
    data = to_dict(report)
    data["findings"][-1]["id"] = "dns.future-check"
    back = report_from_json(json.dumps(data))
    assert back.findings[-1].id == "dns.future-check"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "must be an object"),
        ('{"tool": {"name": "launchready", "version": "0.1.0"}}', "lacks the field"),
    ],
)
def test_a_broken_report_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        report_from_json(text)


def test_a_wrong_enum_is_an_input_error(report: Report) -> None:
    data = to_dict(report)
    data["findings"][0]["severity"] = "critical"
    with pytest.raises(InputError, match="schema"):
        report_from_json(json.dumps(data))
