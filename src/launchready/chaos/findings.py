"""From experiments to ``deps.*`` findings, without crying wolf.

Every verdict compares a target under a fault with the same target at baseline. A target
that does not work at baseline (an error, no answer) gets no finding at all: its failure
is not the fault's doing, and the report lists it as a baseline failure instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from launchready import catalog
from launchready.chaos.experiments import Experiment, Outcome, Target
from launchready.findings import Finding
from launchready.manifest.models import Dependency

BLOCKING_SHARE = 0.8
"""checks.md: latency L that slows the route by at least 0.8 L puts the call on its path."""
KEYS = ["dependency", "route"]


@dataclass(frozen=True)
class DependencyRun:
    """Everything learnt about one dependency."""

    dependency: Dependency
    targets: tuple[Target, ...]
    experiments: tuple[Experiment, ...]

    def experiment(self, fault: str) -> Experiment | None:
        return next((e for e in self.experiments if e.fault == fault), None)

    def baseline_failures(self) -> list[Outcome]:
        baseline = self.experiment("baseline")
        return [o for o in baseline.outcomes if not o.working] if baseline else []


def deps_findings(runs: Sequence[DependencyRun], *, latency: float, cap: float) -> list[Finding]:
    found: list[Finding] = []
    for run in runs:
        baseline = run.experiment("baseline")
        if baseline is None:
            continue
        for target in run.targets:
            before = baseline.outcome(target.name)
            if before is None or not before.working:
                continue
            found += _for_target(run, target, before, latency, cap)
    return found


def _for_target(
    run: DependencyRun, target: Target, before: Outcome, latency: float, cap: float
) -> list[Finding]:
    dep = run.dependency
    found: list[Finding] = []

    def evidence(fault: str, after: Outcome, **extra: Any) -> dict[str, Any]:
        return {
            "dependency": dep.name,
            "route": target.name,
            "fault": fault,
            "baseline_status": before.status,
            "baseline_ms": round(before.elapsed_ms, 1),
            "status": after.status,
            "elapsed_ms": round(after.elapsed_ms, 1),
            **({"error": after.error} if after.error else {}),
            **extra,
        }

    hang = _outcome(run, "hang", target)
    if hang is not None and hang.timed_out:
        found.append(
            catalog.finding(
                "deps.no-timeout",
                target=target.url,
                evidence=evidence("hang", hang, cap_s=cap),
                checkout=target.checkout,
                title=f"{target.name} gives no answer for {cap:g}s when {dep.name} hangs",
                fingerprint_keys=KEYS,
            )
        )
    slow = _outcome(run, "latency", target)
    if slow is not None and not dep.awaited:
        added_ms = slow.elapsed_ms - before.elapsed_ms
        if added_ms >= BLOCKING_SHARE * latency * 1000:
            found.append(
                catalog.finding(
                    "deps.blocking-call",
                    target=target.url,
                    evidence=evidence(
                        "latency", slow, latency_s=latency, added_ms=round(added_ms, 1)
                    ),
                    checkout=target.checkout,
                    title=f"{target.name} waits for {dep.name}: {latency:g}s of latency there "
                    f"added {added_ms / 1000:.1f}s to the answer",
                    fingerprint_keys=KEYS,
                )
            )
    down = _outcome(run, "refuse", target)
    if down is not None and not down.working:
        found.append(
            catalog.finding(
                "deps.no-fallback",
                target=target.url,
                evidence=evidence("refuse", down),
                checkout=target.checkout,
                title=f"{target.name} fails ({down.error or down.verdict}) when {dep.name} is down",
                fingerprint_keys=KEYS,
            )
        )
    cache = run.experiment("cache")
    if dep.cacheable and cache is not None and cache.reached.get(target.name):
        repeat = cache.outcome(target.name)
        if repeat is not None:
            found.append(
                catalog.finding(
                    "deps.no-cache",
                    target=target.url,
                    evidence=evidence("cache", repeat, upstream=dict(cache.upstream)),
                    title=f"{target.name} asks {dep.name} again for an identical request",
                    fingerprint_keys=KEYS,
                )
            )
    return found


def _outcome(run: DependencyRun, fault: str, target: Target) -> Outcome | None:
    experiment = run.experiment(fault)
    return experiment.outcome(target.name) if experiment is not None else None


__all__ = ["BLOCKING_SHARE", "DependencyRun", "deps_findings"]
