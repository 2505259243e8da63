"""The smoke test's chat steps against the demo's real chat server and, with ``--browser``,
its real widget in Debian's Chromium: a pass, and each way a shopper would be let down
(a slow bot, a dead endpoint, a widget that never shows the reply) as a failed step."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready.chat.browser import find_chromium
from launchready.errors import InputError
from launchready.findings import Report
from launchready.manifest import load_manifest
from launchready.runner import AuditOptions
from launchready.smoke.chatsteps import SCREENSHOT
from launchready.smoke.runner import smoke_report
from tests.chat.variants import variant


def steps(report: Report) -> dict[str, dict[str, object]]:
    raw = report.extras["smoke_steps"]
    assert isinstance(raw, list)
    return {str(s["name"]): s for s in raw if isinstance(s, dict)}


def require_browser() -> None:
    if find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")


async def smoke(path: Path, *, browser: bool = False, report_dir: Path | None = None) -> Report:
    return await smoke_report(
        load_manifest(path), AuditOptions(timeout=5), browser=browser, report_dir=report_dir
    )


async def test_the_chat_step_passes_under_budget(fixed: Path) -> None:
    chat = steps(await smoke(fixed))["chat"]
    assert chat["ok"] is True
    assert chat["conditions"][-1].startswith("[RESPONSE_TIME] (")
    assert chat["conditions"][-1].endswith("< 2000")


async def test_a_reply_over_budget_fails_the_chat_step(fixed: Path, tmp_path: Path) -> None:
    report = await smoke(variant(fixed, tmp_path, "slow", budget="20ms"))
    chat = steps(report)["chat"]
    assert chat["ok"] is False
    assert chat["failed"] == [c for c in chat["conditions"] if "RESPONSE_TIME" in str(c)]
    assert [f.evidence["step"] for f in report.findings] == ["chat"]


async def test_a_dead_chat_endpoint_fails_the_chat_step(fixed: Path, tmp_path: Path) -> None:
    report = await smoke(variant(fixed, tmp_path, "dead", url="/no-such-endpoint"))
    chat = steps(report)["chat"]
    assert chat["ok"] is False
    assert "HTTP 404" in str(chat["error"])


async def test_a_reply_path_that_fits_nothing_is_a_config_failure(
    fixed: Path, tmp_path: Path
) -> None:
    chat = steps(await smoke(variant(fixed, tmp_path, "bad", reply="$.answer")))["chat"]
    assert chat["ok"] is False
    assert str(chat["error"]).startswith("config: chatbot.reply")


async def test_browser_needs_the_widget_described(fixed: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"chatbot\.browser"):
        await smoke(variant(fixed, tmp_path, "nowidget", browser=None), browser=True)


async def test_the_widget_answers_in_real_chromium(fixed: Path, tmp_path: Path) -> None:
    require_browser()
    report = await smoke(fixed, browser=True, report_dir=tmp_path)
    widget = steps(report)["chat-widget"]
    assert widget["ok"] is True, widget
    assert widget["kind"] == "browser"
    assert isinstance(widget["elapsed_ms"], float)
    assert widget["elapsed_ms"] > 0
    assert report.findings == ()
    assert not (tmp_path / SCREENSHOT).exists()


async def test_a_broken_widget_fails_with_a_screenshot(fixed: Path, tmp_path: Path) -> None:
    require_browser()
    manifest = load_manifest(fixed)
    assert manifest.chatbot is not None and manifest.chatbot.browser is not None
    broken = manifest.chatbot.browser.model_dump(by_alias=True) | {"reply": ".never-rendered"}
    report = await smoke(
        variant(fixed, tmp_path, "broken", browser=broken, budget="1s"),
        browser=True,
        report_dir=tmp_path,
    )
    widget = steps(report)["chat-widget"]
    assert widget["ok"] is False
    evidence = widget["evidence"]
    assert isinstance(evidence, dict)
    assert evidence["failed_at"] == "reply"
    shot = Path(str(evidence["screenshot"]))
    assert shot == tmp_path / SCREENSHOT
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # noqa: ASYNC240
    (failed,) = report.findings
    assert failed.id == "smoke.step-failed"
    assert failed.evidence["step"] == "chat-widget"
