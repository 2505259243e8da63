"""``chaos_report`` against the lab store: each deps.* ID fires where the store deserves it
and stays silent where it copes, and no experiment outlives its cap."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from launchready.chaos import ChaosOptions, chaos_report
from launchready.errors import InputError
from launchready.findings import Report
from launchready.manifest import load_manifest
from launchready.runner import AuditOptions
from tests.chaos.lab import NAIVE, ROBUST, TIMEOUT_ONLY, Lab, Variant, running

CAP = 2.0
LATENCY = 0.25
OPTIONS = ChaosOptions(latency=LATENCY, cap=CAP)
IDS = ("deps.no-timeout", "deps.blocking-call", "deps.no-fallback", "deps.no-cache")


def fired(report: Report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {i: set() for i in IDS}
    for f in report.findings:
        found[f.id].add(str(f.evidence["route"]))
    return found


async def refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


async def run(lab: Lab, folder: Path, options: ChaosOptions = OPTIONS, **kw: str) -> Report:
    manifest = load_manifest(lab.write(folder, **kw))
    report = await chaos_report(manifest, AuditOptions(timeout=5), options)
    assert await refused(lab.mail_listen) and await refused(lab.llm_listen)
    return report


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        pytest.param(
            NAIVE,
            {
                "deps.no-timeout": {"checkout", "chatbot"},
                "deps.blocking-call": {"checkout"},  # the LLM is awaited: not blamed
                "deps.no-fallback": {"checkout", "chatbot"},
                "deps.no-cache": {"chatbot"},
            },
            id="naive",
        ),
        pytest.param(
            TIMEOUT_ONLY,
            {
                "deps.no-timeout": set(),
                "deps.blocking-call": {"checkout"},
                "deps.no-fallback": {"checkout", "chatbot"},
                "deps.no-cache": {"chatbot"},
            },
            id="timeout-only",
        ),
        pytest.param(ROBUST, {i: set() for i in IDS}, id="robust"),
    ],
)
async def test_each_deps_id_fires_where_the_store_deserves_it(
    variant: Variant, expected: dict[str, set[str]], tmp_path: Path
) -> None:
    async with running(variant) as lab:
        report = await run(lab, tmp_path)
        # (a background mail may still be on its way when the latency fault starts)
        assert lab.mailbox.messages or variant.background_mail, "mail went through the proxy"
        assert lab.llm_prompts, "the baseline chat reached the LLM through the proxy"
    assert fired(report) == expected
    table = report.extras["chaos"]
    assert isinstance(table, dict)
    for dep in table["dependencies"]:
        faults = [e["fault"] for e in dep["experiments"]]
        cache = ["cache"] if dep["cacheable"] else []
        assert faults == ["baseline", *cache, "latency", "hang", "refuse"]
        for experiment in dep["experiments"]:
            assert experiment["duration_ms"] <= CAP * 1000 + 300, experiment
            for result in experiment["results"]:
                assert result["elapsed_ms"] <= CAP * 1000 + 300, result


async def test_checkout_findings_are_raised_one_level_and_carry_evidence(tmp_path: Path) -> None:
    async with running(NAIVE) as lab:
        report = await run(
            lab,
            tmp_path,
            ChaosOptions(
                latency=LATENCY, cap=CAP, faults=("hang",), dependencies=("email-provider",)
            ),
        )
    (hang,) = [f for f in report.findings if f.evidence["route"] == "checkout"]
    assert hang.id == "deps.no-timeout" and hang.severity.value == "blocker"
    assert hang.evidence["dependency"] == "email-provider" and hang.evidence["status"] is None
    assert hang.evidence["baseline_status"] == 200
    assert CAP * 1000 - 100 <= float(str(hang.evidence["elapsed_ms"])) <= CAP * 1000 + 300
    assert hang.target == f"{lab.store}/checkout"


async def test_a_route_failing_at_baseline_is_reported_not_blamed(tmp_path: Path) -> None:
    async with running(NAIVE) as lab:
        report = await run(
            lab,
            tmp_path,
            ChaosOptions(latency=LATENCY, cap=CAP, dependencies=("email-provider",)),
            email_used_by="[checkout, broken]",
        )
        assert lab.calls["/broken"] == 4, "driven at baseline and under each fault"
    assert all(f.evidence["route"] != "broken" for f in report.findings)
    assert {f.evidence["route"] for f in report.findings} == {"checkout"}
    (dep,) = report.extras["chaos"]["dependencies"]  # type: ignore[index]
    assert [b["target"] for b in dep["baseline_failures"]] == ["broken"]
    assert dep["baseline_failures"][0]["status"] == 500


async def test_only_the_chosen_dependency_and_faults_run(tmp_path: Path) -> None:
    async with running(ROBUST) as lab:
        options = ChaosOptions(latency=LATENCY, cap=CAP, dependencies=("llm",), faults=("refuse",))
        report = await run(lab, tmp_path, options)
        assert lab.calls["/checkout"] == 0
    (dep,) = report.extras["chaos"]["dependencies"]  # type: ignore[index]
    assert dep["name"] == "llm"
    assert [e["fault"] for e in dep["experiments"]] == ["baseline", "cache", "refuse"]
    refuse = dep["experiments"][-1]["results"][0]
    assert refuse["verdict"] == "ok" and refuse["status"] == 200  # the degraded answer


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email_used_by": "[checkout, nowhere]"}, "no route named 'nowhere'"),
        ({"base_url": "https://www.shop.test"}, "names the production host"),
    ],
)
async def test_bad_input_is_refused_before_any_listener(
    changes: dict[str, str], message: str, tmp_path: Path
) -> None:
    lab = Lab(NAIVE, smtp_port=1, llm_port=1, store="http://127.0.0.1:9")
    manifest = load_manifest(lab.write(tmp_path, **changes))
    with pytest.raises(InputError, match=message):
        await chaos_report(manifest, AuditOptions(), OPTIONS)
    with pytest.raises(InputError, match="no dependency named nope"):
        await chaos_report(
            load_manifest(lab.write(tmp_path)), AuditOptions(), ChaosOptions(dependencies=("nope",))
        )


async def test_a_busy_listen_port_is_bad_input(tmp_path: Path) -> None:
    async with running(ROBUST) as lab:
        blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", lab.mail_listen)
        try:
            with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{lab.mail_listen}"):
                await chaos_report(load_manifest(lab.write(tmp_path)), AuditOptions(), OPTIONS)
        finally:
            blocker.close()
            await blocker.wait_closed()
        assert await refused(lab.llm_listen), "the proxy opened before the failure was closed"
