"""``launchready deploy check|drill``: the build and rollback proofs, thin over
:mod:`launchready.deploy`.

Both run shell commands from the manifest and can take minutes, so each step's start and
verdict go to stderr as it happens (``--quiet`` silences them) and its full output to a log
file named in the report. Ctrl-C stops the running step's whole process group.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from launchready.cli.options import DEFAULT_MANIFEST, Common, ManifestOpt, with_common_options
from launchready.cli.output import emit
from launchready.deploy import CheckOptions, DrillOptions, check_report, drill_report
from launchready.deploy.check import DEFAULT_BUILD_TIMEOUT
from launchready.deploy.drill import drill_commands
from launchready.durations import parse_duration
from launchready.errors import InputError
from launchready.manifest import load_manifest

deploy_app = typer.Typer(
    name="deploy",
    no_args_is_help=True,
    help="Build and rollback proofs: a clean-clone build, a staging rollback drill.",
    add_completion=False,
    rich_markup_mode=None,
)

LogDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--log-dir",
        metavar="DIR",
        help="Keep each step's output here (default: a new folder under the temp directory).",
    ),
]


@deploy_app.command("check")
@with_common_options
def check(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    build_timeout: Annotated[
        str,
        typer.Option("--build-timeout", help="Time limit of each build, e.g. 15m or 90s."),
    ] = "15m",
    log_dir: LogDirOpt = None,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            metavar="DIR",
            help="The folder to build, in a clean clone of its repository (default: the "
            "manifest's folder, else the repository secrets.paths names).",
        ),
    ] = None,
    *,
    opts: Common,
) -> None:
    """Build HEAD in a clean clone with only deploy.build_env, then scan deploy.artifacts
    for secrets; a failed build is rebuilt to tell an uncommitted file from an undeclared
    variable."""
    limit = parse_duration(build_timeout)
    if limit <= 0:
        raise InputError("--build-timeout must be longer than zero")
    loaded = load_manifest(manifest)
    options = CheckOptions(build_timeout=limit or DEFAULT_BUILD_TIMEOUT, log_dir=log_dir, repo=repo)
    progress = None if opts.quiet else _say
    report = asyncio.run(check_report(loaded, options, progress))
    raise typer.Exit(emit(report, opts))


@deploy_app.command("drill")
@with_common_options
def drill(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    log_dir: LogDirOpt = None,
    *,
    opts: Common,
) -> None:
    """Staging only: deploy, smoke, roll back, smoke (deploy.drill), each timed; the
    rollback plus its smoke must pass within deploy.drill.budget."""
    loaded = load_manifest(manifest)
    drill_commands(loaded)  # the staging gate and the commands, before anything runs
    progress = None if opts.quiet else _say
    report = asyncio.run(
        drill_report(loaded, opts.audit_options(), DrillOptions(log_dir=log_dir), progress)
    )
    raise typer.Exit(emit(report, opts))


def _say(line: str) -> None:
    print(f"launchready: {line}", file=sys.stderr, flush=True)


__all__ = ["deploy_app"]
