"""``deploy.artifacts`` scanned for credentials after the clean build.

What the build writes is what ships (to the servers, and for a frontend bundle to every
browser), so a key that reached it through a wrongly named variable or an imported config
file is a blocker whatever the source tree looks like. The scan is the project's secret
engine, reported through its one door (:func:`launchready.secrets.report.build_findings`):
rule, file, line, the first 4 characters and a keyed hash, never the value.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from launchready.errors import InputError
from launchready.findings import Finding
from launchready.secrets import Scanner
from launchready.secrets.report import build_findings, relative_to
from launchready.secrets.walker import iter_files


@dataclass(frozen=True)
class ArtifactScan:
    """Per ``deploy.artifacts`` entry, the files it matched; then the findings."""

    entries: tuple[tuple[str, int], ...]
    findings: tuple[Finding, ...]

    def to_json(self) -> list[dict[str, object]]:
        return [{"path": path, "files": files} for path, files in self.entries]


def check_patterns(patterns: Sequence[str]) -> None:
    """An artifact path is inside the build folder: an absolute path or ``..`` would scan
    (and report on) files the clean build never wrote."""
    for pattern in patterns:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise InputError(
                f"deploy.artifacts: {pattern!r} must be a path inside the repository "
                "(relative to the manifest's folder), e.g. dist/"
            )


def resolve(root: Path, pattern: str) -> list[Path]:
    """The files and folders ``pattern`` names under ``root`` (a plain path or a glob,
    ``**`` included)."""
    if glob.has_magic(pattern):
        return sorted(Path(p) for p in glob.glob(str(root / pattern), recursive=True))
    path = root / pattern
    return [path] if path.exists() else []


def scan_artifacts(scanner: Scanner, root: Path, patterns: Sequence[str]) -> ArtifactScan:
    """Scan every file ``patterns`` name under ``root``; matches are shown relative to it,
    so the finding reads ``dist/assets/app.js`` wherever the clone was."""
    entries: list[tuple[str, int]] = []
    targets: list[Path] = []
    for pattern in patterns:
        found = resolve(root, pattern)
        entries.append((pattern, sum(1 for _ in iter_files(found))))
        targets += found
    unique = list(dict.fromkeys(targets))
    matches = scanner.scan_paths(unique) if unique else []
    shown = [relative_to(m, root) for m in matches]
    return ArtifactScan(tuple(entries), tuple(build_findings(shown)))


__all__ = ["ArtifactScan", "check_patterns", "resolve", "scan_artifacts"]
