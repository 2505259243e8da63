"""``launchready chaos`` as a library call: one proxy per dependency, each fault in turn.

Every dependency gets its proxy for the whole run, passing through, because a route may
call several: while one dependency is under a fault the others must keep answering, or a
failure would be blamed on the wrong one. For the dependency under test the sequence is
baseline, the cache check (``cacheable`` ones), then each fault, pass-through restored
after each. Every request is capped; the proxies are closed when the run ends, however it
ends (an error, Ctrl-C, SIGTERM cancelling the task), so no listener outlives it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from launchready.chaos.experiments import Experiment, Outcome, Target, drive, targets
from launchready.chaos.faults import EXPERIMENT_FAULTS, PASS_THROUGH, Fault
from launchready.chaos.findings import DependencyRun, deps_findings
from launchready.chaos.proxy import FaultProxy
from launchready.context import CheckContext
from launchready.errors import InputError, ToolError
from launchready.findings import Report
from launchready.manifest import Manifest
from launchready.manifest.models import Dependency
from launchready.net.http import ManifestResolver
from launchready.staging import staging_base_url

if TYPE_CHECKING:
    from launchready.runner import AuditOptions

DELIVERABLE = "chaos"
DEFAULT_LATENCY_S = 2.0
DEFAULT_CAP_S = 30.0
"""checks.md: a route that gives no answer within 30 s with its dependency hanging."""


@dataclass(frozen=True)
class ChaosOptions:
    dependencies: tuple[str, ...] = ()
    """Only these dependencies (``--dependency``); empty means all."""
    faults: tuple[str, ...] = EXPERIMENT_FAULTS
    latency: float = DEFAULT_LATENCY_S
    jitter: float = 0.0
    cap: float = DEFAULT_CAP_S


EventSink = Callable[[str, str, Experiment], None]
"""Told ``(dependency, fault, experiment)`` as each experiment ends (progress lines)."""


def selected(manifest: Manifest, names: Sequence[str]) -> list[Dependency]:
    """The dependencies to test, or an InputError naming what is missing or unknown."""
    deps = manifest.dependencies
    if not deps:
        raise InputError(f"{manifest.path or 'the manifest'}: no dependencies section to test")
    known = {d.name for d in deps}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            f"--dependency: no dependency named {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    return [d for d in deps if not names or d.name in names]


async def chaos_report(
    manifest: Manifest,
    options: AuditOptions,
    chaos: ChaosOptions,
    *,
    on_event: EventSink | None = None,
) -> Report:
    """Run the experiments on the staging store and report them (redacted)."""
    from launchready.runner import command_report, open_context

    base_url = staging_base_url(manifest, "chaos")
    if chaos.cap <= 0 or chaos.latency <= 0:
        raise InputError("--cap and --latency must be longer than zero")
    chosen = selected(manifest, chaos.dependencies)
    plans = [(d, targets(manifest, d.used_by, base_url, f"dependencies[{d.name}]")) for d in chosen]
    sink = on_event or (lambda _d, _f, _e: None)
    started_at, clock = datetime.now(UTC), time.perf_counter()
    # The HTTP client's own timeout stays above the cap: the cap (asyncio.wait_for) decides.
    http_options = replace(options, timeout=chaos.cap + 1.0)
    runs: list[DependencyRun] = []
    async with open_context(manifest, http_options) as ctx, AsyncExitStack() as stack:
        proxies = {}
        resolver = ManifestResolver(manifest.network, ctx.resolver)

        async def resolve(host: str, port: int) -> tuple[str, int]:
            first = (await resolver.resolve(host, port))[0]
            return str(first["host"]), int(first["port"])

        for dep in manifest.dependencies:
            proxy = FaultProxy(dep.listen, dep.upstream, resolve=resolve, name=dep.name)
            try:
                await stack.enter_async_context(proxy)
            except OSError as exc:
                raise InputError(
                    f"dependencies[{dep.name}]: cannot listen on {dep.listen}: {exc.strerror}"
                ) from None
            proxies[dep.name] = proxy
        for dep, tgts in plans:
            experiments = await _dependency(ctx, proxies[dep.name], dep, tgts, chaos, sink)
            runs.append(DependencyRun(dep, tuple(tgts), tuple(experiments)))
    return command_report(
        manifest,
        "chaos",
        deps_findings(runs, latency=chaos.latency, cap=chaos.cap),
        command="chaos",
        started_at=started_at,
        clock=clock,
        extras={DELIVERABLE: deliverable(runs, base_url, chaos)},
    )


async def _dependency(
    ctx: CheckContext,
    proxy: FaultProxy,
    dep: Dependency,
    tgts: list[Target],
    chaos: ChaosOptions,
    sink: EventSink,
) -> list[Experiment]:
    done: list[Experiment] = []

    def record(experiment: Experiment) -> None:
        done.append(experiment)
        sink(dep.name, experiment.fault, experiment)

    record(await _experiment(ctx, proxy, "baseline", "baseline", tgts, chaos.cap))
    if dep.cacheable:
        record(await _cache(ctx, proxy, tgts, chaos.cap))
    faults = {
        "latency": Fault("latency", latency=chaos.latency, jitter=chaos.jitter),
        "hang": Fault("hang"),
        "refuse": Fault("refuse"),
    }
    for name in chaos.faults:
        fault = faults[name]
        await proxy.set_fault(fault)
        try:
            record(await _experiment(ctx, proxy, name, fault.label, tgts, chaos.cap, tag=name))
        finally:
            await _restore(proxy, dep)
    return done


async def _restore(proxy: FaultProxy, dep: Dependency) -> None:
    """Pass-through again; after ``refuse`` that means listening again, which fails only
    when something else took the port meanwhile: the run cannot go on."""
    try:
        await proxy.set_fault(PASS_THROUGH)
    except OSError as exc:
        raise ToolError(
            f"dependencies[{dep.name}]: cannot listen on {dep.listen} again after the refuse "
            f"fault: {exc.strerror}; something else took the port"
        ) from None


async def _experiment(
    ctx: CheckContext,
    proxy: FaultProxy,
    fault: str,
    label: str,
    tgts: list[Target],
    cap: float,
    tag: str = "",
) -> Experiment:
    """Every target at once, each capped, so the experiment lasts at most ``cap``."""
    before, clock = proxy.counters.snapshot(), time.perf_counter()
    outcomes = await asyncio.gather(*(drive(ctx, t, cap, tag) for t in tgts))
    return Experiment(
        fault,
        label,
        (time.perf_counter() - clock) * 1000,
        tuple(outcomes),
        proxy.counters.since(before).to_json(),
    )


async def _cache(
    ctx: CheckContext, proxy: FaultProxy, tgts: list[Target], cap: float
) -> Experiment:
    """The baseline's identical request again, one target at a time so the dependency's
    counters say which target reached it."""
    before, clock = proxy.counters.snapshot(), time.perf_counter()
    outcomes: list[Outcome] = []
    reached: dict[str, bool] = {}
    for target in tgts:
        mark = proxy.counters.snapshot()
        outcomes.append(await drive(ctx, target, cap))
        reached[target.name] = proxy.counters.since(mark).reached_upstream
    return Experiment(
        "cache",
        "repeat (cache)",
        (time.perf_counter() - clock) * 1000,
        tuple(outcomes),
        proxy.counters.since(before).to_json(),
        reached,
    )


def deliverable(
    runs: Sequence[DependencyRun], base_url: str, chaos: ChaosOptions
) -> dict[str, Any]:
    """``extras["chaos"]``: per dependency, every experiment's results (the route x fault
    table) and the targets that already failed at baseline."""
    return {
        "base_url": base_url,
        "cap_s": chaos.cap,
        "latency_s": chaos.latency,
        "jitter_s": chaos.jitter,
        "faults": list(chaos.faults),
        "dependencies": [
            {
                "name": run.dependency.name,
                "listen": run.dependency.listen,
                "upstream": run.dependency.upstream,
                "awaited": run.dependency.awaited,
                "cacheable": run.dependency.cacheable,
                "targets": [t.name for t in run.targets],
                "experiments": [e.to_json() for e in run.experiments],
                "baseline_failures": [o.to_json() for o in run.baseline_failures()],
            }
            for run in runs
        ],
    }


__all__ = ["DELIVERABLE", "ChaosOptions", "EventSink", "chaos_report", "deliverable", "selected"]
