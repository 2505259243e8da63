"""``launchready demo``: start the embedded demo store and audit it."""

from __future__ import annotations

import shlex
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from launchready.demo import DemoStore


@app.command()
@with_common_options
def demo(
    fixed: Annotated[
        bool, typer.Option("--fixed", help="Start the same store with every flaw repaired.")
    ] = False,
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running",
            help="Leave the store up after the audit and print its manifest path and the "
            "commands to try on it (audit, chaos, deploy drill, deploy check).",
        ),
    ] = False,
    *,
    opts: Common,
) -> None:
    """Start the embedded demo store on loopback (DNS, HTTPS hosts, shop, chatbot, git repo,
    and a staging store for chaos and deploy drill) with the flaws a real demo-stage store
    has, and audit it."""
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
            _wait_for_interrupt(keep_running_message(store))
        raise typer.Exit(code)
    finally:
        store.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def keep_running_message(store: DemoStore) -> str:
    """What to do with the running store: the audit, and the active commands against its
    staging side (chaos between staging and its email and model services, the deploy
    drill on its releases) and the clean build of its repository."""
    from launchready.demo.cftoken import TOKEN_FILE, TOKEN_VARIABLE
    from launchready.demo.releases import CURRENT, GOOD, RELEASES_DIR

    manifest = shlex.quote(str(store.manifest_path))
    workdir = shlex.quote(str(store.workdir))
    lines = [
        "",
        f"The demo store is running. Its manifest: {store.manifest_path}",
        f"In another shell, load its Cloudflare API token (${{{TOKEN_VARIABLE}}}) first:",
        f"      cd {workdir} && set -a && . ./{TOKEN_FILE} && set +a",
        f"Try:  launchready audit -m {manifest}",
    ]
    if store.staging_ports is not None:
        lines += [
            f"Its staging store (deploy.drill.base_url): {store.staging_ports.base_url}, "
            f"serving {RELEASES_DIR}/{CURRENT} -> {GOOD}",
            f"Try:  launchready chaos -m {manifest}",
            f"      launchready deploy drill -m {manifest}",
            f"      launchready deploy check -m {manifest}",
            f"After a drill, put staging back on {GOOD}:  "
            f"(cd {workdir} && ln -sfn {GOOD} {RELEASES_DIR}/{CURRENT})",
        ]
    lines.append("Press Ctrl-C to stop it.")
    return "\n".join(lines)


def _wait_for_interrupt(message: str) -> None:
    """Block until Ctrl-C or SIGTERM, telling the user how to use the running store."""
    print(message, file=sys.stderr)
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
