"""The Typer application and its commands."""

from __future__ import annotations

import asyncio
from contextlib import nullcontext
from dataclasses import replace
from typing import Annotated

import typer

from launchready import __version__
from launchready.checks import AREA_NAMES, Area, select_areas
from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    ManifestOpt,
    comma_set,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.cli.progress import RichProgress
from launchready.findings import Report
from launchready.load.run import LoadOptions
from launchready.manifest import Manifest, load_manifest
from launchready.runner import run_audit

app = typer.Typer(
    name="launchready",
    help="Take a founder-led store and its AI chatbot from demo to launch: "
    "one manifest, one audit, a ranked risk list.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"launchready {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """launchready: audit everything a store's launch depends on."""


@app.command()
@with_common_options
def audit(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    only: Annotated[
        str | None,
        typer.Option("--only", help=f"Comma list of areas to run ({','.join(AREA_NAMES)})."),
    ] = None,
    skip: Annotated[
        str | None, typer.Option("--skip", help="Comma list of areas not to run.")
    ] = None,
    probe_rate_limits: Annotated[
        bool,
        typer.Option(
            "--probe-rate-limits",
            help="Send at most 30 requests in 10 s to each rate_limited route and the chatbot, "
            "stopping at the first 429.",
        ),
    ] = False,
    lighthouse: Annotated[
        bool,
        typer.Option(
            "--lighthouse",
            help="Score every storefront page with Lighthouse in Debian's chromium "
            "(about 15 s a page; needs Node and the lighthouse npm package).",
        ),
    ] = False,
    with_load: Annotated[
        bool,
        typer.Option(
            "--load",
            help="Also run the load test of `launchready load` (load.users for load.duration).",
        ),
    ] = False,
    *,
    opts: Common,
) -> None:
    """Run every check the manifest allows, concurrently, and print the ranked risk list."""
    areas = parse_areas(only, skip)
    opts = replace(
        opts,
        probe_rate_limits=probe_rate_limits,
        lighthouse=lighthouse,
        load=LoadOptions() if with_load else None,
    )
    report = audit_manifest(load_manifest(manifest), opts, areas)
    raise typer.Exit(emit(report, opts))


def parse_areas(only: str | None, skip: str | None) -> list[Area]:
    """``--only``/``--skip`` as area lists; an unknown area name is bad input."""
    chosen = [_area_set(only, "--only"), _area_set(skip, "--skip")]
    return select_areas(chosen[0], chosen[1])


def _area_set(text: str | None, option: str) -> set[str] | None:
    return comma_set(text, option, AREA_NAMES, "area")


def audit_manifest(manifest: Manifest, opts: Common, areas: list[Area]) -> Report:
    """Run the audit with a progress display when stderr is a terminal."""
    display = RichProgress() if opts.show_progress else None
    with display if display is not None else nullcontext():
        return asyncio.run(run_audit(manifest, opts.audit_options(), areas=areas, progress=display))


__all__ = ["app", "audit_manifest", "parse_areas"]
