"""The deploy deliverable in every human format, and the measured rollback on the handover."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import CliRun

from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.handover.model import build_handover
from launchready.handover.render import html, markdown
from launchready.manifest import load_manifest
from launchready.report import Format, render
from launchready.report.deployview import deploy_view
from launchready.report.json_report import render as render_json

STARTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def step(name: str, ok: bool, seconds: float, **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "command": more.pop("command", f"./{name.replace(' ', '-')}.sh"),
        "ok": ok,
        "seconds": seconds,
        "exit_code": 0 if ok else 3,
        "timed_out": False,
        "log": f"/tmp/drill/{name.replace(' ', '-')}.log",
        **more,
    }


def drill_report(rollback_ok: bool = True, seconds: float = 42.5) -> Report:
    deliverable = {
        "kind": "drill",
        "base_url": "https://staging.shop.test",
        "log_dir": "/tmp/drill",
        "steps": [
            step("deploy", True, 80.0, command="fly deploy -a shop-staging"),
            step("smoke after deploy", False, 2.0),
            step("rollback", rollback_ok, seconds - 2.5, command="fly releases rollback"),
            step("smoke after rollback", True, 2.5),
        ],
        "rollback_seconds": seconds,
        "rollback_ok": rollback_ok,
        "budget": 600.0,
    }
    return area_report(
        "shop.test",
        CheckAttempt("deploy", AttemptStatus.RAN, 90_000),
        [],
        started_at=STARTED,
        extras={"deploy": deliverable},
        command="deploy drill",
    )


def test_the_drill_view_reads_the_rollback_against_the_budget() -> None:
    view = deploy_view(drill_report())
    assert view is not None
    assert view.title == "Deploy drill on https://staging.shop.test"
    assert view.summary == (
        "Rollback + smoke: 42.5 s of a 10.0 min budget (within); "
        "the rollback brought back a passing store."
    )
    assert [(s.name, s.outcome, s.seconds) for s in view.steps] == [
        ("deploy", "ok", "80.0 s"),
        ("smoke after deploy", "failed (exit 3)", "2.0 s"),
        ("rollback", "ok", "40.0 s"),
        ("smoke after rollback", "ok", "2.5 s"),
    ]
    assert view.rollback is not None
    assert view.rollback.budget_at == 480 and view.rollback.used == 34


@pytest.mark.parametrize("fmt", [Format.TEXT, Format.MD, Format.HTML])
def test_every_human_format_shows_the_steps_and_the_rollback_time(fmt: Format) -> None:
    text = render(drill_report(), fmt)
    assert "fly releases rollback" in text
    assert "42.5 s of a 10.0 min budget" in text
    assert "smoke after rollback" in text
    if fmt is Format.HTML:
        assert '<svg role="img" aria-label="Rollback and smoke: 42.5 s' in text


def test_no_deliverable_no_section() -> None:
    plain = area_report(
        "shop.test", CheckAttempt("deploy", AttemptStatus.RAN), [], started_at=STARTED
    )
    assert deploy_view(plain) is None
    assert "Deploy drill" not in render(plain, Format.MD)


def test_the_check_view_lists_builds_and_artifacts() -> None:
    report = area_report(
        "shop.test",
        CheckAttempt("deploy", AttemptStatus.RAN),
        [],
        started_at=STARTED,
        extras={
            "deploy": {
                "kind": "check",
                "commit": "0123456789abcdef0123",
                "steps": [step("build (clean clone)", True, 12.0, command="npm run build")],
                "artifacts": [{"path": "dist/", "files": 14}],
                "diagnosis": None,
                "log_dir": "/tmp/check",
            }
        },
        command="deploy check",
    )
    view = deploy_view(report)
    assert view is not None and view.rollback is None
    assert view.summary == "The build of 0123456789ab in a clean clone passed."
    markdown_text = render(report, Format.MD)
    assert "- Scanned `dist/`: 14 files" in markdown_text
    assert "| build (clean clone) | ok | 12.0 s | `npm run build` |" in markdown_text


@pytest.fixture
def handover_manifest(write_manifest: Any) -> Path:
    path: Path = write_manifest("""
        site: {domain: shop.test, name: Shop}
        deploy:
          steps: ["fly deploy"]
          rollback: ["fly releases rollback"]
    """)
    return path


def test_the_handover_shows_the_measured_rollback(handover_manifest: Path) -> None:
    manifest = load_manifest(handover_manifest)
    page = build_handover(manifest, drill_report(), STARTED)
    assert page.rollback_proven is True
    expected = "42.5 s measured on staging (rollback + smoke, budget 10.0 min, drill of 2026-03-02)"
    assert page.rollback_measured == expected
    assert f"- Rollback time: {expected}" in markdown(page)
    assert f'<span id="rollback-measured">Measured: {expected}</span>' in html(page)


def test_a_failed_drill_is_shown_as_open_on_the_handover(handover_manifest: Path) -> None:
    page = build_handover(load_manifest(handover_manifest), drill_report(False), STARTED)
    assert page.rollback_proven is False
    assert page.rollback_measured is not None
    assert page.rollback_measured.endswith("the store did NOT pass its smoke test after it")
    assert '<span id="rollback-measured" class="open">' in html(page)
    slow = build_handover(load_manifest(handover_manifest), drill_report(seconds=900), STARTED)
    assert slow.rollback_proven is False
    assert slow.rollback_measured is not None and "15.0 min" in slow.rollback_measured


def test_without_a_drill_the_handover_says_nothing_measured(handover_manifest: Path) -> None:
    audit = area_report("shop.test", CheckAttempt("dns", AttemptStatus.RAN), [], started_at=STARTED)
    for report in (None, audit):
        page = build_handover(load_manifest(handover_manifest), report, STARTED)
        assert page.rollback_measured is None
        assert "Rollback time" not in markdown(page)
        assert "rollback-measured" not in html(page)


def test_handover_from_a_drill_report_on_the_command_line(
    cli: CliRun, handover_manifest: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "drill.json"
    saved.write_text(render_json(drill_report()), encoding="utf-8")
    done = cli("handover", "-m", handover_manifest, "--from", saved, "--format", "json")
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    assert page["rollback_measured"].startswith("42.5 s measured on staging")
