"""The 48-hour launch sequence: blockers first, the rest by roadmap stage."""

from __future__ import annotations

import pytest

from launchready.findings import AttemptStatus, Report, Severity, Stage, sort_findings
from launchready.report import Format, render
from launchready.report.plan import FINAL_VALIDATION, build_plan, verify_command

WINDOW_HOURS = [(0, 6), (6, 18), (18, 30), (30, 40), (40, 48)]


def test_windows_follow_the_roadmap(report: Report) -> None:
    plan = build_plan(report)
    assert [(w.start_hour, w.end_hour) for w in plan.windows] == WINDOW_HOURS
    assert plan.windows[0].title == "Hour 0 to 6: audit, current state, DNS ownership, blocker list"
    assert "final validation" in plan.windows[-1].focus


def test_every_blocker_is_in_hour_zero_to_six_before_anything_else(report: Report) -> None:
    first = build_plan(report).windows[0]
    blockers = [f.id for f in sort_findings(report.findings) if f.severity is Severity.BLOCKER]
    assert len(blockers) == 3
    assert [i.id for i in first.items[: len(blockers)]] == blockers
    later = [i for w in build_plan(report).windows[1:] for i in w.items]
    assert all(i.severity is not Severity.BLOCKER for i in later)


def test_dns_blocker_is_pulled_forward_from_its_domain_window(report: Report) -> None:
    plan = build_plan(report)
    domain_window = plan.windows[1]
    assert "dns.dangling-cname" in [i.id for i in plan.windows[0].items]
    assert "dns.dangling-cname" not in [i.id for i in domain_window.items]
    assert [i.id for i in domain_window.items] == ["email.dmarc-policy-none"]


def test_high_and_medium_findings_land_in_their_stage_window(report: Report) -> None:
    plan = build_plan(report)
    for window in plan.windows:
        for item in window.items:
            if item.severity is not Severity.BLOCKER:
                assert item.stage in window.stages, (item.id, window.label)
    placed = {i.id: w.label for w in plan.windows for i in w.items}
    assert placed["launch.rollback-undocumented"] == "Hour 18 to 30"
    assert placed["web.error-leak"] == "Hour 30 to 40"
    assert placed["tls.hsts-missing"] == "Hour 30 to 40"
    assert placed["monitor.not-configured"] == "Hour 40 to 48"


def test_low_and_info_wait_until_after_launch(report: Report) -> None:
    plan = build_plan(report)
    assert [i.id for i in plan.after_launch] == [
        "dns.caa-missing",
        "web.version-disclosure",
        "dns.dnssec-missing",
    ]
    assert all(i.severity in (Severity.HIGH, Severity.MEDIUM, Severity.BLOCKER) for i in plan.items)


def test_every_finding_is_scheduled_exactly_once(report: Report) -> None:
    plan = build_plan(report)
    scheduled = [i.fingerprint for i in (*plan.items, *plan.after_launch)]
    assert sorted(scheduled) == sorted(f.fingerprint for f in report.findings)


def test_unchecked_areas_are_part_of_the_audit_window(report: Report) -> None:
    notes = " ".join(build_plan(report).windows[0].notes)
    assert "perf was skipped (no load section in the manifest)" in notes
    assert "chatbot failed to run" in notes


def test_checkout_escalated_finding_is_scheduled_as_high(report: Report) -> None:
    items = {i.id: i for i in build_plan(report).items}
    assert items["web.headers-missing"].severity is Severity.HIGH
    assert items["web.headers-missing"].stage is Stage.SECURITY


def test_empty_report_gives_a_plan_that_says_so(empty_report: Report) -> None:
    plan = build_plan(empty_report)
    assert plan.empty
    assert plan.ready
    assert "nothing to fix" in plan.headline
    assert plan.windows[-1].notes == (FINAL_VALIDATION,)
    assert all(not w.items for w in plan.windows)
    assert all(c.status is AttemptStatus.RAN for c in empty_report.checks)
    assert plan.windows[0].notes == ()


def test_every_item_has_its_fix_and_the_command_that_verifies_it(report: Report) -> None:
    plan = build_plan(report)
    for item in plan.items:
        assert item.fix and item.verify.startswith("launchready ")
    commands = {item.id: item.verify for item in plan.items + plan.after_launch}
    assert all(
        cmd == f"launchready audit --only {i.split('.')[0]}"
        for i, cmd in commands.items()
        if i.split(".")[0] in {"dns", "email", "tls", "routing", "web"}
    )
    page, markdown = render(report, Format.HTML), render(report, Format.MD)
    for item in plan.items:
        assert f"<code>{item.verify}</code>" in page
        assert f"Verify: `{item.verify}`" in markdown


@pytest.mark.parametrize(
    ("finding_id", "command"),
    [
        ("secrets.in-history", "launchready secrets scan --history"),
        ("secrets.in-tree", "launchready secrets scan"),
        ("chatbot.prompt-leak", "launchready redteam"),
        ("chatbot.slow", "launchready smoke"),
        ("env.missing", "launchready env check"),
        ("email.spf-permissive", "launchready audit --only email"),
    ],
)
def test_verify_commands(finding_id: str, command: str) -> None:
    assert verify_command(finding_id) == command
