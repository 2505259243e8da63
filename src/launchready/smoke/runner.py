"""Runs the post-deploy smoke test: every route now, then the extra steps, one verdict each.

Route steps run concurrently (the HTTP client's ``--concurrency`` cap bounds them); the
extra steps (the chatbot exchange, the browser run) follow one after another, because they
drive one chat session and one browser. Results keep manifest order, so two runs of the
same store read the same way whatever answered first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready import catalog
from launchready.context import CheckContext
from launchready.errors import InputError
from launchready.findings import (
    AttemptStatus,
    CheckAttempt,
    Finding,
    Report,
    area_report,
)
from launchready.manifest import Manifest, Route
from launchready.redact import Redactor
from launchready.smoke.chatsteps import browser_step, chat_step
from launchready.smoke.steps import StepResult, check_origin, rebase, route_kind, route_step

if TYPE_CHECKING:
    from launchready.runner import AuditOptions

log = logging.getLogger("launchready.smoke")

Step = Callable[[], Awaitable[StepResult]]
"""A step to run after the routes: called once, returns its own verdict."""
StepSink = Callable[[StepResult], None]
"""Told about each step as it ends (the CLI's progress lines)."""
DELIVERABLE = "smoke_steps"
"""The report extra holding every step's ``to_json()``, in run order."""


def extra_steps(
    ctx: CheckContext, manifest: Manifest, browser: bool, report_dir: Path
) -> list[Step]:
    """The steps that follow the routes: one chatbot exchange held to ``chatbot.budget``
    and, with ``browser``, the chat widget driven in a real browser (a failure's screenshot
    written under ``report_dir``)."""
    steps: list[Step] = []
    if manifest.chatbot is not None:

        async def chat() -> StepResult:
            return await chat_step(ctx)

        steps.append(chat)
    if browser:
        if manifest.chatbot is None or manifest.chatbot.browser is None:
            raise InputError("--browser needs chatbot.browser (page, input, reply) in the manifest")

        async def widget() -> StepResult:
            return await browser_step(ctx, report_dir)

        steps.append(widget)
    return steps


async def run_smoke(
    ctx: CheckContext,
    *,
    base_url: str | None = None,
    extra_steps: Sequence[Step] = (),
    on_step: StepSink | None = None,
) -> list[StepResult]:
    """Every route of ``ctx.manifest`` as a step (concurrently), then ``extra_steps`` in
    order; results in manifest order, then the extras. A step that crashes is a failed
    step with the reason, never an exception: the other steps' verdicts still count."""
    sink = on_step or (lambda _step: None)
    if base_url is not None:
        check_origin(base_url)

    async def one_route(route: Route) -> StepResult:
        try:
            result = await route_step(ctx, route, base_url)
        except Exception as exc:
            log.debug("smoke step %s crashed", route.name, exc_info=True)
            target = rebase(route.url, base_url)
            result = StepResult(route.name, route_kind(route), target, ok=False, error=_bug(exc))
        sink(result)
        return result

    results = list(await asyncio.gather(*(one_route(r) for r in ctx.manifest.routes)))
    for index, step in enumerate(extra_steps, start=1):
        try:
            result = await step()
        except InputError:
            raise  # a missing prerequisite (no browser installed) is the user's to fix
        except Exception as exc:
            log.debug("extra smoke step %d crashed", index, exc_info=True)
            name = getattr(step, "__name__", f"step-{index}")
            result = StepResult(name, "extra", "", ok=False, error=_bug(exc))
        sink(result)
        results.append(result)
    return results


def smoke_findings(results: Sequence[StepResult]) -> list[Finding]:
    """One ``smoke.step-failed`` per failed step, identified by the step's name, so a
    baseline or an alert follows "the health step" whatever the failure looked like."""
    found = []
    for step in results:
        if step.ok:
            continue
        evidence: dict[str, Any] = {
            "step": step.name,
            "kind": step.kind,
            "conditions": list(step.failed or step.conditions),
        }
        if step.error is not None:
            evidence["error"] = step.error
        if step.elapsed_ms is not None:
            evidence["elapsed_ms"] = step.elapsed_ms
        found.append(
            catalog.finding(
                "smoke.step-failed",
                target=step.target or step.name,
                evidence=evidence,
                checkout=step.checkout,
                title=f"Smoke test step {step.name} failed after deploy",
                fingerprint_keys=["step"],
            )
        )
    return found


async def smoke_report(
    manifest: Manifest,
    options: AuditOptions,
    *,
    base_url: str | None = None,
    browser: bool = False,
    report_dir: Path | None = None,
    on_step: StepSink | None = None,
) -> Report:
    """``launchready smoke`` as a library call: the steps, their findings, and the step
    list as the ``smoke_steps`` extra, every ``${VAR}`` value redacted before anything
    (a progress line included) leaves this function."""
    # Imported here: the audit's runner imports every check area, and the smoke area will
    # import this module, so a top-level import would be circular.
    from launchready.runner import open_context

    if base_url is not None:
        check_origin(base_url)
    redactor = Redactor(manifest.secret_values)

    def clean(step: StepResult) -> StepResult:
        return step.with_text(redactor) if redactor else step

    sink = (lambda step: on_step(clean(step))) if on_step is not None else None
    started_at, clock = datetime.now(UTC), time.perf_counter()
    async with open_context(manifest, options) as ctx:
        extras = extra_steps(ctx, manifest, browser, report_dir or manifest.base_dir)
        if not manifest.routes and not extras:
            where = manifest.path or "the manifest"
            raise InputError(f"{where}: no routes to smoke-test")
        results = [
            clean(step)
            for step in await run_smoke(ctx, base_url=base_url, extra_steps=extras, on_step=sink)
        ]
    elapsed = round((time.perf_counter() - clock) * 1000)
    return area_report(
        manifest.site.domain,
        CheckAttempt("smoke", AttemptStatus.RAN, elapsed),
        smoke_findings(results),
        started_at=started_at,
        extras={DELIVERABLE: [step.to_json() for step in results]},
        command="smoke",
    )


def _bug(exc: BaseException) -> str:
    return f"bug: {type(exc).__name__}: {exc}"
