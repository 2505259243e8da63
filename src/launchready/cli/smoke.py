"""``launchready smoke``: the post-deploy smoke test, one verdict per step.

Meant for the minutes after a deploy, in a terminal or in CI: every route as the manifest
describes it, the health route, the webhook's rejection of an unsigned request, and the
extra steps of :func:`launchready.smoke.runner.extra_steps`. The exit code is the common one
(a failed step is a blocker), so ``launchready smoke && echo ok`` gates a pipeline.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from launchready.cli.app import app
from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    ManifestOpt,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.manifest import load_manifest
from launchready.report.smokeview import step_line, step_row
from launchready.smoke.runner import StepSink, smoke_report
from launchready.smoke.steps import StepResult, check_origin


@app.command()
@with_common_options
def smoke(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Send every route to this origin (scheme://host[:port]) instead of its own, "
            "keeping path and query: smoke-test a staging deploy with the production manifest.",
        ),
    ] = None,
    browser: Annotated[
        bool, typer.Option("--browser", help="Also drive the chat widget in a real browser.")
    ] = False,
    *,
    opts: Common,
) -> None:
    """The post-deploy smoke test: every route, the health route, the webhook rejection."""
    if base_url is not None:
        check_origin(base_url)
    loaded = load_manifest(manifest)
    report_dir = opts.output.parent if opts.output is not None else Path.cwd()
    report = asyncio.run(
        smoke_report(
            loaded,
            opts.audit_options(),
            base_url=base_url,
            browser=browser,
            report_dir=report_dir,
            on_step=_progress() if opts.show_progress else None,
        )
    )
    raise typer.Exit(emit(report, opts))


def _progress() -> StepSink:
    """One line on stderr as each step ends (in the order they end); the report that
    follows lists them again in manifest order."""
    console = Console(stderr=True, highlight=False, markup=False, emoji=False)

    def show(step: StepResult) -> None:
        row = step_row(step.to_json())
        if row is not None:
            line = step_line(row)
            verdict = Text(line[:4], "green" if row.ok else "bold red")
            console.print(Text.assemble(verdict, line[4:]), soft_wrap=True)

    return show


__all__ = ["smoke"]
