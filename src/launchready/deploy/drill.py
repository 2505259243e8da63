"""``launchready deploy drill``: deploy, smoke, roll back, smoke, on staging, each timed.

A rollback nobody has run is a guess; the drill runs it where breaking things is allowed
and measures the number the handover needs: how long from "roll back" to a store that
passes its smoke test again. A deploy or smoke that fails does not stop the drill: a bad
release is exactly when the rollback matters, so the drill always goes on to it.

Every shell step runs with ``deploy.drill.budget`` as its time limit and is killed with its
whole process group at the limit or on Ctrl-C (:func:`launchready.deploy.shell.run_shell`);
the smoke runs are held to the same limit.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from launchready import catalog
from launchready.deploy.buildenv import env_redactor
from launchready.deploy.check import DELIVERABLE, make_log_dir
from launchready.deploy.shell import LogDir, Progress, Redact, ShellResult, run_shell
from launchready.errors import InputError, LaunchreadyError
from launchready.findings import Finding, Report
from launchready.manifest import Manifest
from launchready.manifest.models import Drill
from launchready.report.smokeview import smoke_lines, step_row
from launchready.runner import command_report
from launchready.smoke.runner import DELIVERABLE as SMOKE_STEPS
from launchready.smoke.runner import smoke_report
from launchready.staging import staging_base_url

if TYPE_CHECKING:
    from launchready.runner import AuditOptions

PHASES = {
    "smoke after deploy": "after the drill's deploy",
    "smoke after rollback": "after the rollback",
}


@dataclass(frozen=True)
class DrillOptions:
    log_dir: Path | None = None
    """Where the step logs go (kept); a new temporary folder when None."""


@dataclass(frozen=True)
class SmokeRun:
    """One smoke phase of the drill, shaped like a shell step for the step table."""

    result: ShellResult
    findings: tuple[Finding, ...]
    failed_steps: tuple[str, ...]


def drill_commands(manifest: Manifest) -> tuple[str, Drill, str, str]:
    """The staging origin and both commands, or an InputError before anything runs."""
    base_url = staging_base_url(manifest, "deploy drill")
    drill = manifest.deploy.drill if manifest.deploy is not None else None
    assert drill is not None  # staging_base_url refused a missing drill section
    missing = [k for k in ("deploy", "rollback") if not getattr(drill, k)]
    if missing:
        raise InputError(
            "deploy drill needs "
            + " and ".join(f"deploy.drill.{k}" for k in missing)
            + ' (shell commands, e.g. rollback: "fly releases rollback -a shop-staging")'
        )
    if not manifest.routes and manifest.chatbot is None:
        raise InputError(f"{manifest.path or 'the manifest'}: no routes to smoke-test")
    assert drill.deploy is not None and drill.rollback is not None
    return base_url, drill, drill.deploy, drill.rollback


async def drill_report(
    manifest: Manifest,
    audit_options: AuditOptions,
    options: DrillOptions,
    progress: Progress | None = None,
) -> Report:
    base_url, drill, deploy_cmd, rollback_cmd = drill_commands(manifest)
    budget = drill.budget
    say = progress or (lambda _line: None)
    logs = make_log_dir(options.log_dir, "launchready-deploy-drill-")
    redact = env_redactor({}, manifest.secret_values, os.environ)
    started_at, clock = datetime.now(UTC), time.perf_counter()
    say(f"deploy drill on {base_url}: budget {budget:g}s per step, logs in {logs.path}")

    async def shell(name: str, command: str) -> ShellResult:
        say(f"{name}: {redact(command)}")
        result = await run_shell(
            name,
            command,
            cwd=manifest.base_dir,
            env=os.environ,
            limit=budget,
            log=logs.file(name),
            redact=redact,
        )
        say(result.verdict())
        return result

    async def smoke(name: str) -> SmokeRun:
        say(f"{name}: launchready smoke --base-url {base_url}")
        run = await _smoke(manifest, audit_options, base_url, name, budget, logs, redact)
        say(run.result.verdict())
        return run

    deployed = await shell("deploy", deploy_cmd)
    after_deploy = await smoke("smoke after deploy")
    rolled_back = await shell("rollback", rollback_cmd)
    after_rollback = await smoke("smoke after rollback")
    rollback_seconds = rolled_back.seconds + after_rollback.result.seconds
    say(f"rollback + smoke: {rollback_seconds:.1f}s (budget {budget:g}s)")

    findings = [*after_deploy.findings, *after_rollback.findings]
    if not rolled_back.ok or not after_rollback.result.ok:
        findings.append(_rollback_failed(base_url, rolled_back, after_rollback, redact))
    if rollback_seconds > budget:
        findings.append(
            catalog.finding(
                "deploy.rollback-slow",
                target=base_url,
                evidence={
                    "rollback_seconds": round(rollback_seconds, 1),
                    "budget_seconds": budget,
                    "rollback_command": redact(rollback_cmd),
                },
                title=f"Rolling back took {_human(rollback_seconds)}, over the "
                f"{_human(budget)} budget",
                fingerprint_keys=[],
            )
        )
    steps = [deployed, after_deploy.result, rolled_back, after_rollback.result]
    deliverable: dict[str, object] = {
        "kind": "drill",
        "base_url": base_url,
        "log_dir": str(logs.path),
        "steps": [s.to_json() for s in steps],
        "failed_smoke_steps": {
            "after deploy": list(after_deploy.failed_steps),
            "after rollback": list(after_rollback.failed_steps),
        },
        "rollback_seconds": round(rollback_seconds, 3),
        "rollback_ok": rolled_back.ok and after_rollback.result.ok,
        "budget": budget,
    }
    return command_report(
        manifest,
        "deploy",
        findings,
        command="deploy drill",
        started_at=started_at,
        clock=clock,
        extras={DELIVERABLE: deliverable},
    )


async def _smoke(
    manifest: Manifest,
    audit_options: AuditOptions,
    base_url: str,
    name: str,
    budget: float,
    logs: LogDir,
    redact: Redact,
) -> SmokeRun:
    """The smoke test as a drill step: its lines in a log file, its findings marked with
    the phase, held to the budget; a smoke that cannot run is a failed step, not a crash."""
    log = logs.file(name)
    command = f"launchready smoke --base-url {base_url}"
    started = time.perf_counter()
    lines: list[str]
    findings: list[Finding] = []
    failed: list[str] = []
    timed_out = False
    try:
        async with asyncio.timeout(budget):
            report = await smoke_report(manifest, audit_options, base_url=base_url)
    except TimeoutError:
        timed_out = True
        lines = [f"launchready: the smoke test did not finish within {budget:g}s"]
        failed = ["(timeout)"]
    except InputError:
        raise
    except LaunchreadyError as exc:
        lines = [f"launchready: the smoke test could not run: {exc}"]
        failed = ["(could not run)"]
    else:
        rows = [r for r in map(step_row, _entries(report.extras.get(SMOKE_STEPS))) if r]
        lines = smoke_lines(rows)
        failed = [r.name for r in rows if not r.ok]
        findings = [_phased(f, name) for f in report.findings]
    seconds = time.perf_counter() - started
    text = "".join(redact(line) + "\n" for line in lines)
    await asyncio.to_thread(log.write_text, text, encoding="utf-8")
    result = ShellResult(
        name=name,
        command=command,
        exit_code=None if timed_out else (1 if failed else 0),
        seconds=seconds,
        timed_out=timed_out,
        log=log,
        tail=tuple(redact(line) for line in lines[-20:]),
    )
    return SmokeRun(result, tuple(findings), tuple(failed))


def _entries(value: object) -> list[dict[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _phased(found: Finding, phase: str) -> Finding:
    """A smoke finding that says which smoke of the drill it came from (the same step
    failing after the deploy and after the rollback are two different facts)."""
    step = found.evidence.get("step", found.target)
    return catalog.finding(
        found.id,
        target=found.target,
        evidence={**found.evidence, "phase": phase},
        severity=found.severity,
        title=f"Smoke test step {step} failed {PHASES.get(phase, phase)}",
        fingerprint_keys=["step", "phase"],
    )


def _rollback_failed(
    base_url: str, rollback: ShellResult, smoke: SmokeRun, redact: Redact
) -> Finding:
    reasons: list[str] = []
    evidence: dict[str, object] = {"rollback_command": redact(rollback.command)}
    if rollback.timed_out:
        reasons.append(f"the rollback command was stopped at the {rollback.seconds:.0f}s limit")
    elif not rollback.ok:
        reasons.append(f"the rollback command exited {rollback.exit_code}")
    if not rollback.ok:
        evidence["exit_code"] = rollback.exit_code
        evidence["log"] = str(rollback.log)
        evidence["last_lines"] = list(rollback.tail[-8:])
    if not smoke.result.ok:
        reasons.append("the smoke test failed after it: " + ", ".join(smoke.failed_steps))
        evidence["failed_steps"] = list(smoke.failed_steps)
    evidence["reason"] = "; ".join(reasons)
    return catalog.finding(
        "deploy.rollback-failed",
        target=base_url,
        evidence=evidence,
        fingerprint_keys=[],
    )


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


__all__ = ["DrillOptions", "drill_commands", "drill_report"]
