"""JUnit XML: one suite per area, one case per target, failing at the --fail-on threshold."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from launchready.findings import Report, Severity
from launchready.report.junit import render

from .conftest import ERROR_REASON, HOSTILE, SKIP_REASON


def parse(report: Report, fail_on: Severity | None = Severity.HIGH) -> ET.Element:
    out = render(report, fail_on=fail_on)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(out.encode("utf-8"))


def suite(root: ET.Element, area: str) -> ET.Element:
    found = root.find(f"testsuite[@name='launchready.{area}']")
    assert found is not None, area
    return found


def case(root: ET.Element, area: str, name: str) -> ET.Element:
    found = suite(root, area).find(f"testcase[@name='{name}']")
    assert found is not None, (area, name)
    return found


def test_one_suite_per_area_in_check_order(report: Report) -> None:
    root = parse(report)
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == [f"launchready.{c.area}" for c in report.checks]


def test_one_case_per_area_and_target(report: Report) -> None:
    root = parse(report)
    dns = [c.get("name", "") for c in suite(root, "dns").findall("testcase")]
    assert sorted(dns) == ["bücher-shop.example", "promo.shop.example", "shop.example"]
    launch = [c.get("name", "") for c in suite(root, "launch").findall("testcase")]
    assert sorted(launch) == ["deploy.rollback", "launchready.yaml"]
    assert all(c.get("classname") == "launchready.dns" for c in suite(root, "dns"))


def test_failures_at_or_above_high(report: Report) -> None:
    root = parse(report)
    failure = case(root, "web", "https://shop.example/debug").find("failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert failure.text is not None
    assert HOSTILE.replace("\x1b", "\\x1b") in failure.text
    assert case(root, "web", "https://shop.example/checkout").find("failure") is not None
    medium = case(root, "email", "shop.example")
    assert medium.find("failure") is None
    out = medium.find("system-out")
    assert out is not None and out.text is not None
    assert "email.dmarc-policy-none" in out.text


def test_a_case_splits_its_findings_at_the_threshold(report: Report) -> None:
    debug = case(parse(report), "web", "https://shop.example/debug")
    failure, out = debug.find("failure"), debug.find("system-out")
    assert failure is not None and out is not None
    assert (failure.get("message") or "").startswith("web.error-leak:")
    assert "web.version-disclosure" not in (failure.text or "")
    assert "web.version-disclosure" in (out.text or "")


def test_a_case_with_several_failing_findings_names_the_worst(report: Report) -> None:
    failure = case(parse(report, Severity.LOW), "web", "https://shop.example/debug").find("failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert failure.get("message", "").endswith("(and 1 more)")
    assert "web.version-disclosure" in (failure.text or "")


def test_area_that_ran_clean_is_one_passing_case(report: Report) -> None:
    routing = suite(parse(report), "routing")
    cases = routing.findall("testcase")
    assert [c.get("name") for c in cases] == ["routing"]
    assert list(cases[0]) == []
    assert routing.get("tests") == "1"
    assert routing.get("failures") == "0"


def test_skipped_and_errored_areas(report: Report) -> None:
    root = parse(report)
    skipped = case(root, "perf", "perf").find("skipped")
    assert skipped is not None and skipped.get("message") == SKIP_REASON
    error = case(root, "chatbot", "chatbot").find("error")
    assert error is not None and error.get("message") == ERROR_REASON
    assert suite(root, "chatbot").get("errors") == "1"
    assert suite(root, "perf").get("skipped") == "1"


@pytest.mark.parametrize(
    ("fail_on", "failures"),
    [
        (Severity.BLOCKER, 3),
        (Severity.HIGH, 7),
        (Severity.MEDIUM, 9),
        (Severity.LOW, 10),
        (Severity.INFO, 11),
        (None, 0),
    ],
)
def test_counts_follow_the_threshold(
    report: Report, fail_on: Severity | None, failures: int
) -> None:
    root = parse(report, fail_on)
    cases = root.findall("testsuite/testcase")
    assert root.get("tests") == str(len(cases)) == "14"
    assert root.get("failures") == str(failures)
    assert root.get("errors") == "1"
    assert root.get("skipped") == "1"
    for s in root.findall("testsuite"):
        inner = s.findall("testcase")
        assert s.get("tests") == str(len(inner))
        assert s.get("failures") == str(sum(c.find("failure") is not None for c in inner))


def test_findings_below_the_threshold_are_system_out(report: Report) -> None:
    root = parse(report, Severity.BLOCKER)
    web = case(root, "web", "https://shop.example/debug")
    assert web.find("failure") is None
    out = web.find("system-out")
    assert out is not None and out.text is not None and "web.error-leak" in out.text


def test_a_finding_without_an_attempt_still_gets_a_suite(report: Report) -> None:
    root = parse(replace(report, checks=()))
    assert {s.get("name") for s in root.findall("testsuite")} == {
        "launchready.launch",
        "launchready.dns",
        "launchready.email",
        "launchready.tls",
        "launchready.web",
        "launchready.secrets",
        "launchready.monitor",
    }


def test_empty_report_passes(empty_report: Report) -> None:
    root = parse(empty_report)
    assert root.get("failures") == "0"
    assert root.get("tests") == str(len(empty_report.checks))
