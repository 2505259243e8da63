"""``launchready logs [PATH...] [--since D]``: real-traffic analysis alone.

It works with no manifest, because logs are often looked at before one exists (a copy of
last week's access log, a support ticket). PATHs are files, globs (quoted) or folders;
without PATHs the manifest's ``logs.access`` and ``logs.app`` are read. A manifest
(``-m``, else ``./launchready.yaml`` when present) adds what only it knows: route names and
budgets, the request-ID header, the window, and the live check that the routes return
the header; with no manifest that live part is skipped, not guessed. A PATH that does not
exist is bad input (exit 2); a configured file that cannot be read is a finding.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from launchready.checks.logs import DELIVERABLE, configured_reason
from launchready.cli.app import app
from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    OptionalManifestOpt,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.durations import parse_duration
from launchready.errors import InputError
from launchready.fetch import route_response
from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.logs.sources import Source, total_bytes
from launchready.manifest import Manifest, Route, load_manifest
from launchready.net import HttpResponse
from launchready.runner import open_context, redact_report

if TYPE_CHECKING:
    from launchready.logs.model import LogAnalysis, Options


@app.command()
@with_common_options
def logs(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Log files, quoted globs or folders (default: the manifest's logs section).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="D", help="Only lines newer than D, e.g. 24h or 7d."),
    ] = None,
    manifest: OptionalManifestOpt = None,
    *,
    opts: Common,
) -> None:
    """Per-route requests, p50/p95/p99 and 5xx, error templates, leaked data, request IDs."""
    from launchready.logs.run import manifest_sources, options_for, path_sources

    window = parse_duration(since) if since is not None else None
    if window is not None and window <= 0:
        raise InputError("--since must be longer than zero")
    loaded = load_manifest(manifest) if manifest is not None else _default_manifest()
    now = datetime.now(UTC)
    base = Path.cwd()
    if paths:
        sources = path_sources(paths, base)
        missing = [s.spec for s in sources if s.problem is not None]
        if missing:
            raise InputError(f"{', '.join(missing)}: no such file, folder or matching file")
        options = options_for(loaded, now, window, base)
    elif loaded is not None:
        sources = manifest_sources(loaded)
        options = options_for(loaded, now, window)
    else:
        raise InputError(
            "nothing to read: give log files, globs or folders, or run where a "
            "launchready.yaml with a logs section is (or pass -m)"
        )
    report = asyncio.run(_run(sources, loaded, options, opts, from_paths=bool(paths)))
    raise typer.Exit(emit(report, opts))


def _subject(sources: list[Source]) -> str:
    """What the report is about when no manifest names a site: the PATHs as given."""
    text = ", ".join(s.spec for s in sources)
    return text if len(text) <= 80 else text[:79] + "…"


def _default_manifest() -> Manifest | None:
    """``./launchready.yaml`` when it exists: its routes, budgets and request-ID header
    make the table and the checks more precise."""
    return load_manifest(DEFAULT_MANIFEST) if DEFAULT_MANIFEST.exists() else None


async def _run(
    sources: list[Source],
    manifest: Manifest | None,
    options: Options,
    opts: Common,
    *,
    from_paths: bool,
) -> Report:
    from launchready.logs.findings import analysis_findings, not_configured

    clock = time.perf_counter()
    reason = configured_reason(manifest) if manifest is not None and not from_paths else None
    if reason is not None:
        findings, extras = [not_configured(reason)], {}
    else:
        analysis = await _analyse(sources, manifest, options, opts)
        findings, extras = analysis_findings(analysis), {DELIVERABLE: analysis.to_json()}
    report = area_report(
        manifest.site.domain if manifest is not None else _subject(sources),
        CheckAttempt("logs", AttemptStatus.RAN, round((time.perf_counter() - clock) * 1000)),
        findings,
        started_at=options.now,
        extras=extras,
        command="logs",
    )
    return redact_report(report, manifest) if manifest is not None else report


async def _analyse(
    sources: list[Source], manifest: Manifest | None, options: Options, opts: Common
) -> LogAnalysis:
    """The analysis with a byte progress bar on a terminal, and the live request-ID check
    when a manifest with routes says where the store is."""
    from launchready.logs.run import analyse_async

    total = total_bytes(sources)
    bar = _progress() if opts.show_progress else None
    task = bar.add_task("reading logs", total=total) if bar is not None else None

    def advance(step: int) -> None:
        if bar is not None and task is not None:
            bar.advance(task, step)

    if bar is not None:
        bar.start()
    try:
        if manifest is None or not manifest.routes:
            return await analyse_async(sources, options, progress=advance)
        async with open_context(manifest, opts.audit_options()) as ctx:

            async def fetch(route: Route) -> HttpResponse:
                return await route_response(ctx, route)

            return await analyse_async(sources, options, fetch=fetch, progress=advance)
    finally:
        if bar is not None:
            bar.stop()


def _progress() -> Progress:
    """Bytes read of the total, on stderr: a 1 GB log takes seconds, not an instant."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


__all__ = ["logs"]
