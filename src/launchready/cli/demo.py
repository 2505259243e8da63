"""``launchready demo``: start the embedded demo store and audit it."""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Annotated

import typer

from launchready.checks import AUDIT_AREAS
from launchready.cli.app import app, audit_manifest
from launchready.cli.options import (
    Common,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.errors import ToolError
from launchready.manifest import load_manifest


@app.command()
@with_common_options
def demo(
    fixed: Annotated[
        bool, typer.Option("--fixed", help="Start the same store with every flaw repaired.")
    ] = False,
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running", help="Leave the store up after the audit and print its manifest path."
        ),
    ] = False,
    *,
    opts: Common,
) -> None:
    """Start the embedded demo store on loopback (DNS, HTTPS hosts, shop, chatbot, git repo)
    with the flaws a real demo-stage store has, and audit it."""
    from launchready.demo import DemoStore  # the demo's servers load only when asked for

    workdir = Path(tempfile.mkdtemp(prefix="launchready-demo-"))
    store = DemoStore(workdir, fixed=fixed)
    try:
        try:
            store.start()
        except Exception as exc:
            raise ToolError(f"the demo store could not start: {exc}") from exc
        manifest = load_manifest(store.manifest_path)
        report = audit_manifest(manifest, opts, list(AUDIT_AREAS))
        code = emit(report, opts)
        if keep_running:
            _wait_for_interrupt(store.manifest_path)
        raise typer.Exit(code)
    finally:
        store.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for_interrupt(manifest_path: Path) -> None:
    """Block until Ctrl-C or SIGTERM, telling the user how to use the running store."""
    print(
        f"\nThe demo store is running. Its manifest: {manifest_path}\n"
        f"Try:  launchready audit -m {manifest_path}\n"
        "Press Ctrl-C to stop it.",
        file=sys.stderr,
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        print("launchready: demo store stopped", file=sys.stderr)
