"""Running a load test: the scenario, the Locust processes, progress, and a clean stop.

The processes are Locust's (``launchready.load.engine``): one in-process runner by
default, or a master and N workers on loopback with ``workers``. This side never imports
gevent; it reads their one-line-a-second progress, forwards Ctrl-C as SIGINT (they stop,
still write their results, and the report says the run was interrupted), and reads the
result file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchready.context import CheckContext
from launchready.errors import InputError, ToolError
from launchready.load.results import LoadResult, read_result
from launchready.load.scenario import (
    DEFAULT_DURATION_S,
    DEFAULT_USERS,
    MAX_DURATION_S,
    MAX_USERS,
    THINK_S,
    LoadSpec,
    all_loopback,
    targets,
)

POLITE_USERS = 50
POLITE_DURATION_S = 120.0
POLITE_RATE = 50.0
"""Without ``--i-own-this-site``, the most a test may send at a store off this machine."""
RAMP_S = 10.0
"""The longest ramp-up: all users are running after at most this, or a quarter of the run."""
WORKER_WAIT_S = 30.0
WORKER_WAIT_REMOTE_S = 300.0
"""How long a master waits for its workers to connect (longer when started by hand)."""
GRACE_S = 30.0
"""How long past its duration a run may take to stop and write its results."""

Progress = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class LoadOptions:
    users: int | None = None
    duration_s: float | None = None
    workers: int = 0
    remote_workers: int = 0
    """Workers started by hand on other machines; the master waits for them."""
    master_bind: str = "127.0.0.1"
    """Where the master listens (``0.0.0.0`` to accept workers from other machines)."""
    master_port: int = 0
    """0: any free port."""
    spec_out: Path | None = None
    """Also write the scenario here, for workers on other machines."""
    rate: float | None = None
    spawn_rate: float | None = None
    think_s: tuple[float, float] = THINK_S
    i_own_this_site: bool = False


def build_spec(ctx: CheckContext, options: LoadOptions, result_path: Path) -> LoadSpec:
    manifest = ctx.manifest
    section = manifest.load
    users = options.users or (section.users if section else DEFAULT_USERS)
    duration = options.duration_s or (section.duration if section else DEFAULT_DURATION_S)
    chosen = targets(manifest, ctx.http)
    if not chosen:
        raise InputError("nothing to load-test: the manifest has no routes (or load.mix is empty)")
    resolve = dict(manifest.network.resolve) if manifest.network else {}
    spec = LoadSpec(
        targets=chosen,
        users=users,
        duration_s=duration,
        spawn_rate=options.spawn_rate or users / max(1.0, min(RAMP_S, duration / 4)),
        think_s=options.think_s,
        rate=options.rate,
        timeout_s=ctx.timeout,
        resolve=resolve,
        result_path=str(result_path),
    )
    _check_bounds(spec, options)
    return spec


def _check_bounds(spec: LoadSpec, options: LoadOptions) -> None:
    if spec.users > MAX_USERS or spec.duration_s > MAX_DURATION_S:
        raise InputError(
            f"a load test is capped at {MAX_USERS} users and {MAX_DURATION_S:g} s per run"
        )
    if options.rate is not None and (options.workers or options.remote_workers):
        raise InputError(
            "--rate (the open model) runs in one process, which keeps up to 2000 requests in "
            "flight; leave out --workers"
        )
    if options.i_own_this_site or all_loopback(spec.targets, spec.resolve):
        return
    if (
        spec.users > POLITE_USERS
        or spec.duration_s > POLITE_DURATION_S
        or (spec.rate or 0) > POLITE_RATE
    ):
        raise InputError(
            f"the targets are not on this machine: without --i-own-this-site a load test is "
            f"limited to {POLITE_USERS} users, {POLITE_DURATION_S:g} s and "
            f"{POLITE_RATE:g} requests/s"
        )


async def run_load(
    ctx: CheckContext, options: LoadOptions, progress: Progress | None = None
) -> LoadResult:
    """Run the manifest's load scenario and return its statistics."""
    with tempfile.TemporaryDirectory(prefix="launchready-load-") as folder:
        spec_path, result_path = Path(folder) / "spec.json", Path(folder) / "result.json"
        spec = build_spec(ctx, options, result_path)
        spec.write(spec_path)
        if options.spec_out is not None:
            spec.write(options.spec_out)
        log = Path(folder) / "engine.log"
        await _run_processes(spec, spec_path, options, progress or (lambda _: None), log)
        if not result_path.exists():
            raise ToolError("the load test ended without writing its results")
        return read_result(spec, result_path)


async def _run_processes(
    spec: LoadSpec, spec_path: Path, options: LoadOptions, progress: Progress, log: Path
) -> None:
    """Locust logs to stderr: into ``log`` (a pipe left unread could fill and stall it)."""
    engine = [sys.executable, "-m", "launchready.load.engine"]
    workers, expected = options.workers, options.workers + options.remote_workers
    with log.open("wb") as sink:
        if expected:
            port = options.master_port or _free_port()
            bind = f"{options.master_bind}:{port}"
            wait_s = WORKER_WAIT_REMOTE_S if options.remote_workers else WORKER_WAIT_S
            master = [*engine, "master", bind, str(expected), str(wait_s), str(spec_path)]
            main = await _start(master, sink)
            local = f"127.0.0.1:{port}"
            helpers = [
                await _start([*engine, "worker", local, str(spec_path)], sink)
                for _ in range(workers)
            ]
        else:
            main = await _start([*engine, "local", str(spec_path)], sink)
            helpers = []
        await _supervise(spec, main, helpers, progress)
    if main.returncode not in (0, None):
        tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-1500:]
        raise ToolError(f"the load engine failed (exit {main.returncode}): {tail}")


async def _supervise(
    spec: LoadSpec,
    main: asyncio.subprocess.Process,
    helpers: list[asyncio.subprocess.Process],
    progress: Progress,
) -> None:
    reader = asyncio.ensure_future(_progress(main, progress))
    try:
        limit = spec.duration_s + GRACE_S + WORKER_WAIT_REMOTE_S
        await asyncio.wait_for(main.wait(), timeout=limit)
    except asyncio.CancelledError:
        # Ctrl-C: the engine stops its users and writes what it measured; the report
        # is still written, marked as interrupted. A second Ctrl-C ends everything.
        await _interrupt(main, helpers)
    except TimeoutError:
        await _interrupt(main, helpers)
        raise ToolError("the load test did not stop within its duration and grace") from None
    finally:
        await _settle(main, helpers, reader)


async def _start(command: list[str], log: Any) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=log
    )


async def _progress(process: asyncio.subprocess.Process, progress: Progress) -> None:
    assert process.stdout is not None
    async for raw in process.stdout:
        with contextlib.suppress(ValueError):
            progress(json.loads(raw))


async def _interrupt(main: asyncio.subprocess.Process, helpers: list[Any]) -> None:
    """SIGINT to the engine: it stops its users and still writes the results."""
    if main.returncode is None:
        main.send_signal(signal.SIGINT)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(main.wait()), timeout=GRACE_S)


async def _settle(
    main: asyncio.subprocess.Process, helpers: list[asyncio.subprocess.Process], reader: Any
) -> None:
    """No process outlives the run: workers end with their master, or are ended."""
    for process in [main, *helpers]:
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
