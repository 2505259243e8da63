"""``launchready monitor``: probe the store's routes on a schedule and alert on incidents.

Runs until Ctrl-C or SIGTERM. The store (``--db``, SQLite next to the manifest by default)
keeps the decision state and the outbox, so stopping and starting again, even after a
``kill -9``, neither loses nor repeats an alert.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from launchready.cli.app import app
from launchready.cli.options import DEFAULT_MANIFEST, Common, ManifestOpt, with_common_options
from launchready.durations import parse_duration
from launchready.errors import InputError
from launchready.manifest import Manifest, load_manifest
from launchready.monitor.runtime import MonitorOptions, retire_region, run_monitor
from launchready.runner import open_context

MIN_INTERVAL_S = 1.0
DEFAULT_DB = "launchready-monitor.db"


@app.command()
@with_common_options
def monitor(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"sqlite:///PATH or postgresql://... (default: {DEFAULT_DB} beside the manifest).",
        ),
    ] = None,
    region: Annotated[
        str, typer.Option("--region", help="This monitor's region name.")
    ] = "default",
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen", help="HOST:PORT to serve /healthz and the heartbeat pings (/ping/NAME)."
        ),
    ] = None,
    interval: Annotated[
        str | None,
        typer.Option(
            "--interval", help="Between two probes of a check (default monitor.interval)."
        ),
    ] = None,
    retire_region: Annotated[
        str | None,
        typer.Option(
            "--retire-region",
            metavar="NAME",
            help="Forget a decommissioned region: its silence stops alerting "
            "(closes that incident with a RETIRED notice), then exit.",
        ),
    ] = None,
    *,
    opts: Common,
) -> None:
    """Watch every route, alert after consecutive failures, recover once, until stopped."""
    loaded = load_manifest(manifest)
    url = db or f"sqlite:///{loaded.base_dir / DEFAULT_DB}"
    if retire_region is not None:
        _retire(loaded, url, retire_region)
        return
    if not loaded.routes:
        raise InputError(f"{manifest}: no routes to monitor")
    seconds = parse_duration(interval) if interval else None
    if seconds is not None and seconds < MIN_INTERVAL_S:
        raise InputError(f"--interval must be at least {MIN_INTERVAL_S:g}s")
    asyncio.run(_watch(loaded, opts, MonitorOptions(url, region, seconds, _host_port(listen))))


def _retire(manifest: Manifest, url: str, region: str) -> None:
    notice = retire_region(manifest, url, region)
    closed = (
        "its open incident is closed; the running monitors send the RETIRED notice"
        if notice is not None
        else "it had no open incident"
    )
    typer.echo(
        f"region {region} retired: {closed}. A monitor still running there joins again "
        "with its next report."
    )


def _host_port(text: str | None) -> tuple[str, int] | None:
    if text is None:
        return None
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--listen {text!r}: write HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


async def _watch(manifest: Manifest, opts: Common, options: MonitorOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_context(manifest, opts.audit_options()) as ctx:
        await run_monitor(ctx, options, stop)
