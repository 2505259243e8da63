"""``launchready redteam``: the chatbot evaluation set against the manifest's chat endpoint.

The same run as the audit's chatbot area, with its own report and exit code, so it can
gate a deploy of a new prompt or model on its own. A manifest that does not fit the
endpoint (a JSONPath that finds no reply) is bad input, exit 2, not a pass.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from launchready.chat.findings import redteam_findings
from launchready.chat.probeset import FAMILIES, Probe, load_probes
from launchready.chat.redteam import run_redteam, summary
from launchready.cli.app import app
from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    ManifestOpt,
    comma_set,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.errors import InputError
from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.manifest import Manifest, load_manifest
from launchready.runner import open_context, redact_report


@app.command()
@with_common_options
def redteam(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    family: Annotated[
        str | None,
        typer.Option("--family", help=f"Comma list of probe families ({','.join(FAMILIES)})."),
    ] = None,
    probes: Annotated[
        list[Path] | None,
        typer.Option(
            "--probes", metavar="FILE", help="An extra probe file (YAML); may be repeated."
        ),
    ] = None,
    *,
    opts: Common,
) -> None:
    """Red-team the chatbot: prompt leak, data exfiltration, unsafe action, fallback."""
    loaded = load_manifest(manifest)
    if loaded.chatbot is None:
        raise InputError(f"{manifest}: no chatbot section to red-team")
    families = comma_set(family, "--family", FAMILIES, "family")
    extra = [loaded.resolve_path(p) for p in loaded.chatbot.probes] + list(probes or [])
    chosen = load_probes(extra, families=families)
    report = asyncio.run(_redteam(loaded, opts, chosen))
    raise typer.Exit(emit(report, opts))


async def _redteam(manifest: Manifest, opts: Common, chosen: list[Probe]) -> Report:
    started_at, clock = datetime.now(UTC), time.perf_counter()
    display = _display() if opts.show_progress else None
    task = display.add_task("red-teaming the chatbot", total=None) if display else None

    def advance(done: int, total: int) -> None:
        if display is not None and task is not None:
            display.update(task, completed=done, total=total)

    if display is not None:
        display.start()
    try:
        async with open_context(manifest, opts.audit_options()) as ctx:
            run = await run_redteam(ctx, probes=chosen, progress=advance)
    finally:
        if display is not None:
            display.stop()
    attempt = CheckAttempt(
        "chatbot", AttemptStatus.RAN, round((time.perf_counter() - clock) * 1000)
    )
    report = area_report(
        manifest.site.domain,
        attempt,
        redteam_findings(run),
        started_at=started_at,
        extras={"redteam": summary(run)},
        command="redteam",
    )
    return redact_report(report, manifest)


def _display() -> Progress:
    return Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
