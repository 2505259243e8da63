"""``launchready chaos``: fault injection between the staging store and its dependencies.

Staging only: the gate of :func:`launchready.staging.staging_base_url` runs before any
socket opens. SIGTERM is turned into a cancellation like Ctrl-C, so both end the run
through the library's cleanup (proxies closed, listen ports freed) and exit 130 or 143.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from launchready.chaos import ChaosOptions, chaos_report, parse_faults
from launchready.chaos.experiments import Experiment
from launchready.chaos.run import DEFAULT_CAP_S, DEFAULT_LATENCY_S, EventSink
from launchready.cli.app import app
from launchready.cli.options import DEFAULT_MANIFEST, Common, ManifestOpt, with_common_options
from launchready.cli.output import emit
from launchready.durations import parse_duration
from launchready.errors import InputError
from launchready.findings import Report
from launchready.manifest import Manifest, load_manifest
from launchready.staging import staging_base_url

TERMINATED = 143
"""128 + SIGTERM, what a shell reports for a process ended by SIGTERM."""


@app.command("chaos")
@with_common_options
def chaos(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    dependency: Annotated[
        list[str] | None,
        typer.Option(
            "--dependency",
            help="Only this dependency (repeat, or a comma list); default: every one.",
        ),
    ] = None,
    fault: Annotated[
        str | None,
        typer.Option("--fault", help="Faults to inject, a comma list of latency,hang,refuse."),
    ] = None,
    latency: Annotated[
        str, typer.Option("--latency", help="The latency L added by the latency fault.")
    ] = f"{DEFAULT_LATENCY_S:g}s",
    jitter: Annotated[
        str, typer.Option("--jitter", help="Up to this much more or less latency per chunk.")
    ] = "0s",
    cap: Annotated[
        str,
        typer.Option("--cap", help="Longest wait for one answer; no answer by then is a hang."),
    ] = f"{DEFAULT_CAP_S:g}s",
    *,
    opts: Common,
) -> None:
    """Staging only: injects latency, a hang and refused connections between the store and
    each dependency in turn, drives the routes that use it, reports how the store copes."""
    options = ChaosOptions(
        dependencies=tuple(
            n.strip() for item in dependency or [] for n in item.split(",") if n.strip()
        ),
        faults=parse_faults(fault),
        latency=_seconds(latency, "--latency"),
        jitter=parse_duration(jitter),
        cap=_seconds(cap, "--cap"),
    )
    loaded = load_manifest(manifest)
    staging_base_url(loaded, "chaos")  # refuse production before anything else
    report = asyncio.run(_run(loaded, opts, options))
    raise typer.Exit(emit(report, opts))


async def _run(manifest: Manifest, opts: Common, options: ChaosOptions) -> Report:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        return await chaos_report(
            manifest,
            opts.audit_options(),
            options,
            on_event=_progress() if opts.show_progress else None,
        )
    except asyncio.CancelledError:
        if terminated:
            print("launchready: terminated", file=sys.stderr)
            raise typer.Exit(TERMINATED) from None
        raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _progress() -> EventSink:
    """One line on stderr per experiment as it ends: each target's status and time."""
    console = Console(stderr=True, highlight=False, markup=False, emoji=False)

    def show(dependency: str, fault: str, experiment: Experiment) -> None:
        parts = [
            f"{o.target} {o.status if o.status is not None else o.verdict} "
            f"{o.elapsed_ms / 1000:.2f}s"
            for o in experiment.outcomes
        ]
        bad = any(not o.working for o in experiment.outcomes)
        mark = Text("  ! " if bad else "  ✓ ", "yellow" if bad else "green")
        line = f"chaos {dependency} [{experiment.label}]: " + ", ".join(parts)
        console.print(Text.assemble(mark, line), soft_wrap=True)

    return show


def _seconds(text: str, option: str) -> float:
    seconds = parse_duration(text)
    if seconds <= 0:
        raise InputError(f"{option} must be longer than zero")
    return seconds


__all__ = ["chaos"]
