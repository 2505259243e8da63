"""Why a clean build failed, told apart by building again with one thing added back.

"It builds on my machine" has two usual causes, and the fix differs: a file the laptop
has and git does not (commit it), or a variable the laptop's shell sets and
``deploy.build_env`` does not declare (declare it). So the diagnosis rebuilds HEAD once
with the working tree's extra files overlaid, once with the caller's environment; the one
that passes names the cause. The culprit is then named from the failed build's output
when the output mentions it (confirmed by one more build), else by bisecting the
candidates, but only while that stays cheap: a limited number of extra builds, and only
for builds that take seconds, not a quarter of an hour each.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TypeVar

from launchready.deploy.build import Builder
from launchready.deploy.shell import ShellResult
from launchready.deploy.workspace import Extra

T = TypeVar("T")
LOG_READ_LIMIT = 1 << 20
"""Bytes of the failed build's log searched for a candidate's name (its end)."""
CANDIDATES_SHOWN = 10
TAIL_SHOWN = 12


@dataclass
class Budget:
    """What naming the culprit may cost: only for builds of at most ``cheap_seconds``,
    at most ``probes`` extra builds, and no new one after ``seconds`` of them."""

    probes: int = 20
    cheap_seconds: float = 60.0
    seconds: float = 180.0
    _started: float | None = field(default=None, init=False)

    def allows(self, failed: ShellResult) -> bool:
        return self.probes > 0 and failed.seconds <= self.cheap_seconds

    def spend(self) -> bool:
        now = time.monotonic()
        if self._started is None:
            self._started = now
        if self.probes <= 0 or now - self._started > self.seconds:
            return False
        self.probes -= 1
        return True


@dataclass(frozen=True)
class Diagnosis:
    cause: str
    """``untracked-file``, ``undeclared-variable``, ``file-and-variable``, ``timeout``
    or ``unknown``."""
    explanation: str
    files: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    confirmed: bool = False
    """The named files or variables were proven by a build that passed with them."""
    last_lines: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"cause": self.cause, "explanation": self.explanation}
        if self.files:
            data["files"] = list(self.files)
        if self.variables:
            data["variables"] = list(self.variables)
        if self.files or self.variables:
            data["confirmed"] = self.confirmed
        data["last_lines"] = list(self.last_lines)
        return data


async def diagnose(
    builder: Builder,
    failed: ShellResult,
    extras: Sequence[Extra],
    caller: dict[str, str],
    budget: Budget,
) -> Diagnosis:
    """The cause of ``failed`` (the clean-clone build), by rebuilding."""
    tail = failed.tail[-TAIL_SHOWN:]
    if failed.timed_out:
        return Diagnosis(
            "timeout",
            f"it did not finish within {builder.limit:g}s; not rebuilt to diagnose",
            last_lines=tail,
        )
    output = _read_end(failed)
    if extras:
        tree, _ = await builder.attempt("build (clone + working-tree files)", entries=extras)
        if tree.ok:
            named, confirmed = await _name(
                list(extras),
                _mentioned_files(extras, output),
                lambda chosen: _passes(builder, "build (with some files)", chosen, {}),
                failed,
                budget,
            )
            files = tuple(e.describe() for e in named[:CANDIDATES_SHOWN])
            return Diagnosis(
                "untracked-file",
                f"it builds with your working tree's files: it needs {_list(files, len(named))}; "
                "commit it or generate it in the build",
                files=files,
                confirmed=confirmed,
                last_lines=tail,
            )
    if caller:
        env_run, _ = await builder.attempt("build (clone + your environment)", env_extra=caller)
        if env_run.ok:
            names = sorted(caller)
            needed, proven = await _name(
                names,
                _mentioned_names(names, output),
                lambda chosen: _passes(
                    builder, "build (with some variables)", [], {n: caller[n] for n in chosen}
                ),
                failed,
                budget,
            )
            shown = tuple(needed[:CANDIDATES_SHOWN])
            return Diagnosis(
                "undeclared-variable",
                f"it builds with your shell's variables: it needs "
                f"{_list(shown, len(needed), 'variable ')}; declare it in deploy.build_env",
                variables=shown,
                confirmed=proven,
                last_lines=tail,
            )
    if extras and caller:
        both, _ = await builder.attempt(
            "build (clone + files + environment)", entries=extras, env_extra=caller
        )
        if both.ok:
            return Diagnosis(
                "file-and-variable",
                "it builds only with both your working tree's files and your shell's "
                "variables: commit the file and declare the variable",
                files=tuple(e.describe() for e in _mentioned_files(extras, output)),
                variables=tuple(_mentioned_names(sorted(caller), output)),
                last_lines=tail,
            )
    return Diagnosis(
        "unknown",
        f"it fails (exit {failed.exit_code}) even with your files and variables; "
        "see its last lines",
        last_lines=tail,
    )


async def _passes(
    builder: Builder, name: str, entries: Sequence[Extra], env_extra: dict[str, str]
) -> bool:
    result, _ = await builder.attempt(name, entries=entries, env_extra=env_extra)
    return result.ok


async def _name(
    candidates: list[T],
    mentioned: list[T],
    probe: Callable[[list[T]], Awaitable[bool]],
    failed: ShellResult,
    budget: Budget,
) -> tuple[list[T], bool]:
    """The candidates that make the build pass, and whether a build proved it: first
    those the output mentions (one build confirms them), else a bisection; without
    budget, the mentioned ones unconfirmed, or every candidate."""
    if len(candidates) == 1:
        return candidates, True  # the build that passed had just this one added
    if not budget.allows(failed):
        return (mentioned or candidates), False
    if mentioned and budget.spend() and await probe(mentioned):
        return mentioned, True
    narrowed = await _bisect(candidates, probe, budget)
    return narrowed, len(narrowed) < len(candidates) or len(narrowed) == 1


async def _bisect(
    items: list[T], probe: Callable[[list[T]], Awaitable[bool]], budget: Budget
) -> list[T]:
    """Halve ``items`` (known to make the build pass) while one half alone still does."""
    current = items
    while len(current) > 1:
        half = len(current) // 2
        for part in (current[:half], current[half:]):
            if not budget.spend():
                return current
            if await probe(part):
                current = part
                break
        else:
            return current  # each half needs the other
    return current


def _read_end(result: ShellResult) -> str:
    try:
        with result.log.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - LOG_READ_LIMIT))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return "\n".join(result.tail)


def _mentioned_files(extras: Sequence[Extra], output: str) -> list[Extra]:
    """Entries whose path, or a distinctive file name, the failed output mentions."""
    found = []
    for extra in extras:
        path = extra.path.rstrip("/")
        name = PurePosixPath(path).name
        if path in output or (len(name) >= 4 and _word(name).search(output)):
            found.append(extra)
    return found


def _mentioned_names(names: Sequence[str], output: str) -> list[str]:
    return [n for n in names if len(n) >= 3 and _word(n).search(output)]


def _word(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z0-9_])" + re.escape(text) + r"(?![A-Za-z0-9_])")


def _list(items: Sequence[str], total: int, prefix: str = "") -> str:
    shown = ", ".join(items)
    if total > len(items):
        shown += f" and {total - len(items)} more"
    if total == 1:
        return prefix + shown
    return f"some of the {prefix.strip()}s {shown}" if prefix else f"some of: {shown}"


__all__ = ["Budget", "Diagnosis", "diagnose"]
