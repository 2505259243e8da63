"""``launchready env check``: every environment file against ``environments.required``.

Values are hashed as they are read (:mod:`launchready.envcheck`), so this command can be
run in CI or pasted into a support thread without leaking anything: the report names
variables and environments, never a value or a hash of one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer

from launchready.checks.env import env_findings
from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    ManifestOpt,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.errors import InputError
from launchready.findings import (
    AttemptStatus,
    CheckAttempt,
    area_report,
)
from launchready.manifest import load_manifest

env_app = typer.Typer(
    name="env",
    help="Environment files: required names and shared secret values.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@env_app.command("check")
@with_common_options
def check(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    *,
    opts: Common,
) -> None:
    """Compare environments.files against environments.required without printing a value."""
    loaded = load_manifest(manifest)
    section = loaded.environments
    if section is None or not section.files:
        raise InputError(f"{manifest}: no environments.files to check")
    started_at, clock = datetime.now(UTC), time.perf_counter()
    required = loaded.resolve_path(section.required) if section.required else None
    files = {env: loaded.resolve_path(path) for env, path in section.files.items()}
    findings = env_findings(required, files, loaded.base_dir)
    elapsed = round((time.perf_counter() - clock) * 1000)
    report = area_report(
        loaded.site.domain,
        CheckAttempt("env", AttemptStatus.RAN, elapsed),
        findings,
        started_at=started_at,
        command="env check",
    )
    raise typer.Exit(emit(report, opts))


__all__ = ["env_app"]
