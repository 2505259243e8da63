"""One log analysis from settings to result, for the audit area and ``launchready logs``.

The file work runs in a thread (it is seconds of CPU for a large log and must not block
the event loop that the live request-ID check and the rest of the audit share); the live
check runs meanwhile on the loop, through the caller's memoised route fetch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from launchready.logs.analyze import Progress, analyse
from launchready.logs.model import LogAnalysis, Options
from launchready.logs.requestid import DEFAULT_HEADER, Fetch, LiveCheck, live_checks
from launchready.logs.sources import Kind, Source, expand
from launchready.manifest import Manifest
from launchready.secrets import Scanner


def manifest_sources(manifest: Manifest) -> list[Source]:
    """``logs.access`` then ``logs.app``, each entry expanded against the manifest's folder."""
    section = manifest.logs
    if section is None:
        return []
    entries: list[tuple[str, Kind]] = [(s, "access") for s in section.access]
    entries += [(s, "app") for s in section.app]
    return [expand(spec, kind, manifest.base_dir) for spec, kind in entries]


def path_sources(paths: Sequence[str], base: Path) -> list[Source]:
    """Command-line PATHs (files, globs, folders); the format decides what each holds."""
    return [expand(p, "auto", base) for p in paths]


def options_for(
    manifest: Manifest | None,
    now: datetime,
    since: float | None = None,
    base: Path | None = None,
) -> Options:
    """The analysis options of a manifest (or none): ``since`` (seconds, ``--since``)
    overrides ``logs.window``; routes, the request-ID name and the store's domains come
    from the manifest."""
    section = manifest.logs if manifest is not None else None
    window = since if since is not None else section.window if section is not None else None
    domains: tuple[str, ...] = ()
    if manifest is not None:
        domains = tuple(dict.fromkeys([manifest.site.domain, *manifest.audited_hosts()]))
    return Options(
        now=now,
        since=now - timedelta(seconds=window) if window is not None else None,
        request_id=section.request_id if section is not None else None,
        routes=tuple(manifest.routes) if manifest is not None else (),
        own_domains=domains,
        base=base
        if base is not None
        else manifest.base_dir
        if manifest is not None
        else Path.cwd(),
    )


async def analyse_async(
    sources: Sequence[Source],
    options: Options,
    *,
    fetch: Fetch | None = None,
    progress: Progress | None = None,
) -> LogAnalysis:
    """The analysis in a thread and, when ``fetch`` is given (a manifest with routes),
    the live request-ID check concurrently."""
    header = options.request_id or DEFAULT_HEADER
    scanner = await asyncio.to_thread(Scanner)
    work = asyncio.to_thread(analyse, sources, options, scanner=scanner, progress=progress)
    live = _live(options, header, fetch)
    analysis, checks = await asyncio.gather(work, live)
    if fetch is not None:
        analysis.live = checks
        analysis.live_header = header
    return analysis


async def _live(options: Options, header: str, fetch: Fetch | None) -> list[LiveCheck]:
    if fetch is None or not options.routes:
        return []
    return await live_checks(options.routes, header, fetch)


__all__ = ["analyse_async", "manifest_sources", "options_for", "path_sources"]
