"""Builds of the committed HEAD in throwaway clones, each with exactly the environment and
the working-tree files one question needs.

``deploy check`` asks several questions of the same build (does HEAD build alone? with the
laptop's untracked files? with the laptop's variables? with which ones?), so an attempt
is one fresh clone, an optional overlay of working-tree entries, a fresh empty ``HOME``,
and one run of ``deploy.build``; only the first clone is kept, for the artifact scan.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from launchready.deploy.buildenv import clean_env
from launchready.deploy.shell import LogDir, Progress, Redact, ShellResult, run_shell
from launchready.deploy.workspace import Extra, clone, overlay


@dataclass
class Builder:
    """Runs ``command`` in fresh clones of ``commit`` of the repository at ``top``."""

    top: Path
    commit: str
    subdir: Path
    """The manifest's folder relative to ``top``: the build runs there, as it would in
    the working tree, and ``deploy.artifacts`` are relative to it."""
    command: str
    declared: Mapping[str, str]
    limit: float
    logs: LogDir
    work: Path
    redact: Redact
    progress: Progress | None = None
    results: list[ShellResult] = field(default_factory=list)
    _count: int = field(default=0, init=False)

    def clean_env(self, home: Path) -> dict[str, str]:
        return clean_env(self.declared, home)

    async def attempt(
        self,
        name: str,
        *,
        entries: Sequence[Extra] = (),
        env_extra: Mapping[str, str] | None = None,
        keep: bool = False,
    ) -> tuple[ShellResult, Path]:
        """One build: returns its result and the build folder (deleted unless ``keep``)."""
        self._count += 1
        root = self.work / f"clone-{self._count}"
        home = self.work / f"home-{self._count}"
        home.mkdir(parents=True)
        await asyncio.to_thread(clone, self.top, self.commit, root)
        if entries:
            await asyncio.to_thread(overlay, self.top, root, list(entries))
        env = self.clean_env(home)
        env.update(env_extra or {})
        folder = root / self.subdir
        folder.mkdir(parents=True, exist_ok=True)
        if self.progress is not None:
            self.progress(f"{name}: {self.redact(self.command)}")
        result = await run_shell(
            name,
            self.command,
            cwd=folder,
            env=env,
            limit=self.limit,
            log=self.logs.file(name),
            redact=self.redact,
        )
        self.results.append(result)
        if self.progress is not None:
            self.progress(result.verdict())
        if not keep:
            await asyncio.to_thread(shutil.rmtree, root, True)
        await asyncio.to_thread(shutil.rmtree, home, True)
        return result, folder


__all__ = ["Builder"]
