"""Every blob ever committed, each scanned once, credited to the commit that added it.

A key deleted in a later commit is still in every clone, so history is scanned, and the
report names the commit that *introduced* the key (that is when it leaked; the key must be
rotated whatever happened after). ``git log --raw`` in topological order, oldest first,
lists each commit's new blobs; the first commit to show a blob id owns it. Blobs are then
read through one ``git cat-file --batch`` process and scanned once each, however many
commits carry them, so a long history of small edits costs what its distinct contents cost.
A key that stays in a file across edits is reported once, at the commit that added it.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from launchready.errors import InputError
from launchready.secrets.walker import SKIPPED_DIRS, is_binary

if TYPE_CHECKING:
    from launchready.secrets.matcher import Match, Scanner

_NULL_SHA = frozenset({"0" * 40, "0" * 64})
_SKIPPED_MODES = frozenset({"160000", "120000"})  # submodules, symlinks
BATCH = 256


@dataclass(frozen=True)
class Origin:
    """Where a blob first appeared."""

    commit: str
    author_date: str
    path: str


def _git(repo: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["git", "-C", str(repo), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _has_head(repo: Path) -> bool:
    proc = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD"],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def _vendored(path: str) -> bool:
    return any(part in SKIPPED_DIRS for part in PurePosixPath(path).parts[:-1])


def blob_origins(repo: Path) -> dict[str, Origin]:
    """Each blob id reachable from HEAD mapped to the oldest commit that added it."""
    if not (repo / ".git").exists() and not _has_head(repo):
        raise InputError(f"{repo}: not a git repository")
    if not _has_head(repo):
        return {}
    proc = subprocess.run(
        [
            "git", "-C", str(repo), "log", "HEAD", "--topo-order", "--reverse", "--raw",
            "--no-abbrev", "--no-renames", "--diff-merges=first-parent", "-z",
            "--format=%x01%H%x00%aI%x00",
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise InputError(f"{repo}: git log failed: {proc.stderr.decode(errors='replace').strip()}")
    origins: dict[str, Origin] = {}
    for chunk in proc.stdout.split(b"\x01")[1:]:
        tokens = chunk.decode("utf-8", "surrogateescape").split("\0")
        commit, date, rest = tokens[0], tokens[1], tokens[2:]
        while rest and not rest[0].strip():
            rest = rest[1:]
        for meta, path in zip(rest[0::2], rest[1::2], strict=False):
            fields = meta.strip().lstrip(":").split()
            if len(fields) < 5:
                continue
            mode, blob = fields[1], fields[3]
            if blob in _NULL_SHA or mode in _SKIPPED_MODES or blob in origins:
                continue
            if not _vendored(path):
                origins[blob] = Origin(commit, date, path)
    return origins


def read_blobs(repo: Path, blobs: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """``(blob id, contents)`` through one ``git cat-file --batch`` process."""
    ids = list(blobs)
    proc = _git(repo, "cat-file", "--batch")
    assert proc.stdin is not None and proc.stdout is not None

    def feed(stream: IO[bytes]) -> None:
        try:
            for blob in ids:
                stream.write(blob.encode() + b"\n")
        finally:
            stream.close()

    writer = threading.Thread(target=feed, args=(proc.stdin,), daemon=True)
    writer.start()
    try:
        for _ in ids:
            header = proc.stdout.readline().split()
            if len(header) == 2:  # "<id> missing"
                continue
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            yield header[0].decode(), data
    finally:
        writer.join()
        proc.stdout.close()
        proc.wait()


def scan_history(scanner: Scanner, repo: Path, *, workers: int = 4) -> list[Match]:
    """Matches in every blob reachable from HEAD, each with its introducing commit."""
    origins = blob_origins(repo)

    def scan(item: tuple[str, bytes]) -> list[Match]:
        blob, data = item
        if is_binary(data):
            return []
        origin = origins[blob]
        return [
            replace(m, commit=origin.commit, author_date=origin.author_date)
            for m in scanner.scan_bytes(data, origin.path)
        ]

    matches: list[Match] = []
    batch: list[tuple[str, bytes]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Batches bound memory: a large history is never held in full.
        for item in read_blobs(repo, origins):
            batch.append(item)
            if len(batch) >= BATCH:
                matches += [m for group in pool.map(scan, batch) for m in group]
                batch = []
        matches += [m for group in pool.map(scan, batch) for m in group]
    return _first_sightings(matches, {o.commit: i for i, o in enumerate(origins.values())})


def _first_sightings(matches: list[Match], order: dict[str, int]) -> list[Match]:
    """One match per key and file: every later version of a file still holding the key is
    a new blob, but the leak happened once, in the oldest commit."""
    seen: set[tuple[str, str, str]] = set()
    first: list[Match] = []
    for match in sorted(matches, key=lambda m: (order.get(m.commit or "", 0), m.path, m.line)):
        key = (match.rule_id, match.path, match.secret)
        if key not in seen:
            seen.add(key)
            first.append(match)
    return first


__all__ = ["Origin", "blob_origins", "read_blobs", "scan_history"]
