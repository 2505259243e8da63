"""``launchready load``: realistic load from ``load.mix``, p95 per route against budgets.

Progress shows on the terminal while it runs; Ctrl-C stops the load and still writes the
report (marked interrupted); a second Ctrl-C ends at once.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text

from launchready.cli.app import app
from launchready.cli.options import DEFAULT_MANIFEST, Common, ManifestOpt, with_common_options
from launchready.cli.output import emit
from launchready.durations import parse_duration
from launchready.errors import InputError
from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.load.results import load_findings
from launchready.load.run import LoadOptions, run_load
from launchready.manifest import Manifest, load_manifest
from launchready.runner import open_context, redact_report


@app.command()
@with_common_options
def load(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    users: Annotated[
        int | None,
        typer.Option("--users", min=1, help="Concurrent simulated shoppers (default load.users)."),
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="How long, e.g. 60s (default load.duration).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=0, max=64, help="Locust worker processes beside a master (0: one)."
        ),
    ] = 0,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate",
            min=0.1,
            help="Open model: requests per second at constant arrival, latency from each "
            "request's intended send time (default: the closed model, users with think time).",
        ),
    ] = None,
    remote_workers: Annotated[
        int,
        typer.Option(
            "--remote-workers",
            min=0,
            max=256,
            help="Also wait for N workers started by hand on other machines "
            "(see --master-bind and --spec-out).",
        ),
    ] = 0,
    master_bind: Annotated[
        str,
        typer.Option(
            "--master-bind",
            help="HOST[:PORT] the Locust master listens on (0.0.0.0 for other machines).",
        ),
    ] = "127.0.0.1",
    spec_out: Annotated[
        Path | None,
        typer.Option("--spec-out", help="Write the scenario here for workers on other machines."),
    ] = None,
    i_own_this_site: Annotated[
        bool,
        typer.Option(
            "--i-own-this-site",
            help="Allow more than 50 users, 120 s or 50 requests/s against hosts that are "
            "not on this machine.",
        ),
    ] = False,
    *,
    opts: Common,
) -> None:
    """Load-test the store from load.mix and hold every route's p95 to its budget."""
    loaded = load_manifest(manifest)
    host, _, port = master_bind.rpartition(":") if ":" in master_bind else (master_bind, "", "0")
    if remote_workers and spec_out is None:
        raise InputError("--remote-workers needs --spec-out FILE: the workers read the scenario")
    if not port.isdigit():
        raise InputError(f"--master-bind {master_bind!r}: write HOST or HOST:PORT")
    options = LoadOptions(
        users=users,
        duration_s=parse_duration(duration) if duration else None,
        workers=workers,
        rate=rate,
        i_own_this_site=i_own_this_site,
        remote_workers=remote_workers,
        master_bind=host,
        master_port=int(port),
        spec_out=spec_out,
    )
    report = asyncio.run(_load(loaded, opts, options))
    raise typer.Exit(emit(report, opts))


async def _load(manifest: Manifest, opts: Common, options: LoadOptions) -> Report:
    started_at, clock = datetime.now(UTC), time.perf_counter()
    console = Console(stderr=True)
    line = Text("load: starting")
    live = Live(line, console=console, transient=True) if opts.show_progress else None

    def progress(update: dict[str, Any]) -> None:
        if "master" in update and options.remote_workers:
            console.print(
                f"launchready: the Locust master listens on {update['master']}; start each "
                "remote worker with: python -m launchready.load.engine worker "
                f"{update['master']} {options.spec_out or 'SPEC.json'}"
            )
        if live is not None:
            live.update(
                Text(
                    f"load: {update.get('elapsed_s', 0):.0f} s, {update.get('users', 0)} users, "
                    f"{update.get('requests', 0)} requests, {update.get('rps', 0)} req/s, "
                    f"{update.get('failures', 0)} failures"
                )
            )

    if live is not None:
        live.start()
    try:
        async with open_context(manifest, opts.audit_options()) as ctx:
            result = await run_load(ctx, options, progress)
    finally:
        if live is not None:
            live.stop()
    elapsed = round((time.perf_counter() - clock) * 1000)
    report = area_report(
        manifest.site.domain,
        CheckAttempt("perf", AttemptStatus.RAN, elapsed),
        load_findings(result),
        started_at=started_at,
        extras={"load": result.to_json()},
        command="load",
    )
    return redact_report(report, manifest)
