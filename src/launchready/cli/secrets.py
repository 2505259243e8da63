"""``launchready secrets scan [PATH...]``: the secret scanner alone.

It works with no manifest, because the moment to scan is often before one exists (a
pre-commit hook, a first look at an inherited repository). When ``./launchready.yaml`` (or
``-m``) exists its ``network`` section applies to ``--url``, as in an audit; otherwise the
system resolver is used. ``--update-baseline`` accepts every current match and exits 0:
it is how a team says "these are known and being rotated" without silencing new leaks.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from launchready.checks.secrets import Found, collect, load_baseline, write_baseline
from launchready.cli.exits import Exit
from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    OptionalManifestOpt,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.errors import InputError
from launchready.findings import (
    AttemptStatus,
    CheckAttempt,
    area_report,
)
from launchready.manifest import Manifest, Network, load_manifest
from launchready.net import HttpClient, Resolver
from launchready.secrets import Baseline, Scanner

secrets_app = typer.Typer(
    name="secrets",
    help="Find credentials in files, git history and live bundles.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@secrets_app.command("scan")
@with_common_options
def scan(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", help="Files or folders to scan (default: .)."),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also scan every commit reachable from HEAD.")
    ] = False,
    urls: Annotated[
        list[str] | None,
        typer.Option("--url", metavar="URL", help="Scan a live page, its scripts and maps."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", metavar="F", help="Accepted findings, by fingerprint."),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option("--update-baseline", help="Write every current match to --baseline."),
    ] = False,
    manifest: OptionalManifestOpt = None,
    *,
    opts: Common,
) -> None:
    """Scan files, git history (--history) and live pages (--url) for credentials."""
    if update_baseline and baseline is None:
        raise InputError("--update-baseline needs --baseline F")
    targets = list(paths or [Path(".")])
    for path in targets:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
    for url in urls or []:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise InputError(f"--url {url!r}: give an http:// or https:// URL")
    loaded = _manifest(manifest, bool(urls))
    accepted = _baseline(baseline) if baseline is not None and not update_baseline else None
    started_at, clock = datetime.now(UTC), time.perf_counter()
    found, problems = asyncio.run(_scan(targets, history, list(urls or []), loaded, opts))
    if update_baseline:
        assert baseline is not None
        _write_baseline(baseline, found)
        raise typer.Exit(Exit.CLEAN)
    report = area_report(
        loaded.site.domain if loaded is not None else "",
        _attempt(problems, round((time.perf_counter() - clock) * 1000)),
        found.findings(accepted),
        started_at=started_at,
        command="secrets scan",
    )
    raise typer.Exit(emit(report, opts))


def _attempt(problems: list[str], elapsed: int) -> CheckAttempt:
    """A page that did not load was not scanned: the report says so instead of looking
    clean (the same way an audit area that could not run is shown)."""
    if not problems:
        return CheckAttempt("secrets", AttemptStatus.RAN, elapsed)
    return CheckAttempt(
        "secrets", AttemptStatus.ERROR, elapsed, "connectivity: " + "; ".join(problems)
    )


async def _scan(
    paths: list[Path], history: bool, urls: list[str], manifest: Manifest | None, opts: Common
) -> tuple[Found, list[str]]:
    """The scan, and the ``--url`` pages that could not be scanned (with why)."""
    scanner = await asyncio.to_thread(Scanner)
    base = Path.cwd()
    absolute = [p.absolute() for p in paths]
    if not urls:
        return await collect(scanner, paths=absolute, base=base, history=history), []
    network = manifest.network if manifest is not None else Network()
    ca = network.ca_bundle
    cap = max(1, opts.concurrency)
    resolver = Resolver(network, timeout=opts.timeout, limiter=asyncio.Semaphore(cap))
    async with HttpClient(
        network,
        resolver,
        ca_bundle=manifest.resolve_path(ca) if manifest is not None and ca else None,
        timeout=opts.timeout,
        limiter=asyncio.Semaphore(cap),
    ) as http:
        found = await collect(
            scanner,
            paths=absolute,
            base=base,
            history=history,
            urls=urls,
            http=http,
            site=manifest.site.domain if manifest is not None else None,
        )
        pages = await asyncio.gather(*(http.get(u) for u in urls))  # memoised: no new request
    problems = [
        f"{r.url}: {r.error}" if r.status is None else f"{r.url}: answered {r.status}"
        for r in pages
        if r.status is None or r.status >= 400
    ]
    return found, problems


def _manifest(path: Path | None, fetching: bool) -> Manifest | None:
    """``-m`` always; ``./launchready.yaml`` only when ``--url`` needs its network section,
    so a half-written manifest never blocks a pre-commit scan of files."""
    if path is not None:
        return load_manifest(path)
    if fetching and DEFAULT_MANIFEST.exists():
        return load_manifest(DEFAULT_MANIFEST)
    return None


def _baseline(path: Path) -> Baseline | None:
    try:
        return load_baseline(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"--baseline {path}: cannot read it: {exc}") from None


def _write_baseline(path: Path, found: Found) -> None:
    try:
        write_baseline(path, found.matches)
    except OSError as exc:
        raise InputError(f"--baseline {path}: cannot write it: {exc.strerror}") from None


__all__ = ["secrets_app"]
