"""One shell step (a build, a deploy, a rollback) run with a time limit, logged to a file.

Builds and deploys run other people's commands, which start their own children (npm starts
node, ``fly deploy`` starts docker): the step runs in a session of its own so that a
timeout or a Ctrl-C stops the whole process group, never leaving a half-finished deploy
running behind the report. Output goes to the step's log file line by line, through the
redactor first, so a build that echoes its environment leaves no secret on disk; only the
last lines stay in memory, for the evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

TAIL_LINES = 20
"""Lines of output kept for the evidence (the log file has all of them)."""
TERM_GRACE = 2.0
"""Seconds a killed step's group gets between SIGTERM and SIGKILL."""
DRAIN_GRACE = 1.0
"""Seconds to keep reading after the shell exits: a child it left in the background may
hold the pipe open forever, and the step is over when its shell is."""
CHUNK = 1 << 16

Redact = Callable[[str], str]
Progress = Callable[[str], None]
"""Told one line as each step starts and ends (the CLI prints them on stderr)."""


@dataclass(frozen=True)
class ShellResult:
    """What one step did: its verdict, how long it took and where its output is."""

    name: str
    command: str
    exit_code: int | None
    """None when the step was killed (time limit) or could not start."""
    seconds: float
    timed_out: bool
    log: Path
    tail: tuple[str, ...]
    """The last lines of output, already redacted."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def verdict(self) -> str:
        """``rollback: FAILED (exit 3) in 1.2s, log /tmp/.../03-rollback.log``"""
        if self.timed_out:
            outcome = "KILLED at the time limit"
        else:
            outcome = "ok" if self.ok else f"FAILED (exit {self.exit_code})"
        return f"{self.name}: {outcome} in {self.seconds:.1f}s, log {self.log}"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "command": self.command,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "log": str(self.log),
        }


class LogDir:
    """The folder that keeps every step's log after the run (the clones are deleted): the
    report names each file, so a failure can be read in full."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._count = 0

    def file(self, name: str) -> Path:
        """A new numbered log file name, in run order (``03-rollback.log``)."""
        self._count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        return self.path / f"{self._count:02d}-{slug or 'step'}.log"


def _no_redaction(text: str) -> str:
    return text


async def run_shell(
    name: str,
    command: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    limit: float,
    log: Path,
    redact: Redact = _no_redaction,
) -> ShellResult:
    """Run ``command`` with ``/bin/sh -c`` in ``cwd`` with exactly ``env``; stop its process
    group after ``limit`` seconds (or when this coroutine is cancelled, e.g. by Ctrl-C,
    re-raising the cancellation once the group is gone)."""
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = await asyncio.to_thread(log.open, "w", encoding="utf-8")
    started = time.perf_counter()
    try:
        await _write(handle, f"$ {redact(command)}\n")
        # Our own pipe, not asyncio's PIPE: asyncio's wait() also waits for the pipe to
        # close, which a child left in the background would delay until the time limit.
        read_fd, write_fd = os.pipe()
        try:
            process = await _spawn(command, cwd, env, write_fd)
        except OSError as exc:
            os.close(read_fd)
            line = f"launchready: could not start the step: {exc.strerror or exc}"
            await _write(handle, line + "\n")
            tail.append(line)
            return ShellResult(name, command, None, 0.0, False, log, tuple(tail))
        finally:
            os.close(write_fd)
        timed_out = False
        reader: asyncio.Task[None] | None = None
        transport: asyncio.ReadTransport | None = None
        try:  # from here on, however this ends (Ctrl-C included), the group is stopped
            stream = asyncio.StreamReader()
            transport, _ = await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(stream),
                os.fdopen(read_fd, "rb", buffering=0),
            )
            reader = asyncio.create_task(_pump(stream, handle, tail, redact))
            async with asyncio.timeout(limit):
                await process.wait()
        except TimeoutError:
            timed_out = True
        finally:
            if process.returncode is None:  # timed out, or cancelled (Ctrl-C)
                await _stop_group(process)
            if reader is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(reader), DRAIN_GRACE)
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reader
            if transport is not None:
                transport.close()
        seconds = time.perf_counter() - started
        if timed_out:
            line = f"launchready: stopped after {limit:g}s (time limit); process group killed"
            await _write(handle, line + "\n")
            tail.append(line)
        code = None if timed_out else process.returncode
        await _write(handle, f"launchready: exit {code} after {seconds:.2f}s\n")
        return ShellResult(name, command, code, seconds, timed_out, log, tuple(tail))
    finally:
        await asyncio.to_thread(handle.close)


async def _spawn(
    command: str, cwd: Path, env: Mapping[str, str], output: int
) -> asyncio.subprocess.Process:
    """Start the step in a session of its own. Shielded: a Ctrl-C that lands while asyncio
    is still setting the process up would otherwise make asyncio kill the shell alone,
    leaving the children it already started running; here the spawn completes and the
    whole group is stopped before the cancellation goes on."""
    spawn = asyncio.ensure_future(
        asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            command,
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    )
    try:
        return await asyncio.shield(spawn)
    except asyncio.CancelledError:
        with contextlib.suppress(OSError):
            await _stop_group(await spawn)
        raise


async def _pump(
    stream: asyncio.StreamReader, handle: IO[str], tail: deque[str], redact: Redact
) -> None:
    """Copy the step's output to its log, redacted line by line (a value split across two
    reads is joined first), keeping the last lines. Chunks, not readline: a minified
    bundle printed on one line must not overflow the reader's line limit."""
    pending = b""
    while True:
        chunk = await stream.read(CHUNK)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        if lines:
            await _lines(lines, handle, tail, redact)
        if len(pending) > CHUNK * 4:  # an endless line: write it in pieces
            await _lines([pending], handle, tail, redact)
            pending = b""
    if pending:
        await _lines([pending], handle, tail, redact)


async def _lines(raw: list[bytes], handle: IO[str], tail: deque[str], redact: Redact) -> None:
    text = [redact(line.decode("utf-8", errors="replace").rstrip("\r")) for line in raw]
    tail.extend(line[:500] for line in text if line.strip())
    await _write(handle, "".join(f"{line}\n" for line in text))


async def _write(handle: IO[str], text: str) -> None:
    await asyncio.to_thread(_write_flush, handle, text)


def _write_flush(handle: IO[str], text: str) -> None:
    handle.write(text)
    handle.flush()


async def _stop_group(process: asyncio.subprocess.Process) -> None:
    """SIGTERM the step's process group, SIGKILL it if it is still there after a grace."""
    group = process.pid  # start_new_session: the shell leads its own group
    _signal_group(group, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), TERM_GRACE)
    _signal_group(group, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    await process.wait()


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


__all__ = ["LogDir", "Progress", "Redact", "ShellResult", "run_shell"]
