"""Which files a log setting names, and their bytes in chunks that end on a line.

A setting is a file, a glob (``/var/log/nginx/access.log*``) or a directory (every file
below it), as ``logs.access`` / ``logs.app`` or the command line write it. Rotations
compressed with gzip are recognised by their magic bytes, not their name (logrotate's
``delaycompress`` and hand-made copies do not always say ``.gz``), and decompressed as a
stream: a 1 GB log never sits in memory whole, only one chunk of it.

Chunks end on a newline so a line is never split between two of them; the analysis turns
each chunk into columns in native code, which is why the chunk is the unit here and not
the line.
"""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

Kind = Literal["access", "app", "auto"]
"""Where a setting came from: ``logs.access``, ``logs.app``, or a command-line PATH."""

CHUNK_BYTES = 8 << 20
"""Uncompressed bytes per chunk: large enough that native parsing dominates the per-chunk
Python overhead, small enough that a few copies of a chunk stay far below the 1 GB goal."""
MAX_LINE_BYTES = 8 << 20
"""A "line" longer than this (a binary file, a log without newlines) is cut into pieces
rather than buffered until the end of the file."""
GZIP_MAGIC = b"\x1f\x8b"
SKIPPED_NAMES = frozenset({".DS_Store"})

Progress = Callable[[int], None]
"""Called with the number of on-disk bytes consumed since the last call."""


@dataclass(frozen=True)
class Source:
    """One setting as written, and the files it names today."""

    spec: str
    kind: Kind
    files: tuple[Path, ...]
    problem: str | None = None
    """Why the setting names no file (no match, no such folder), or None."""


@dataclass
class ReadState:
    """What reading one file found besides its lines (filled in as the chunks go by)."""

    compressed: bool = False
    error: str | None = None
    bytes_read: int = 0
    notes: list[str] = field(default_factory=list)


def expand(spec: str, kind: Kind, base: Path) -> Source:
    """The files ``spec`` names, relative to ``base``: a file, a glob or a folder.

    A folder yields every regular file below it (hidden ones too: ``.1`` rotations are not
    hidden, but some hosts write ``.access.log``); a glob is expanded the way a shell
    would, ``**`` included. Order is oldest first by modification time, so chunks arrive in
    roughly the order the lines were written.
    """
    raw = os.path.expanduser(spec)
    path = Path(raw) if os.path.isabs(raw) else base / raw
    if glob.has_magic(str(path)):
        found = [Path(p) for p in glob.glob(str(path), recursive=True)]
        files = [f for p in found for f in _files_under(p)]
        problem = None if files else "the pattern matches no file"
    elif path.is_dir():
        files = _files_under(path)
        problem = None if files else "the folder holds no file"
    elif path.exists():
        files = [path]
        problem = None
    else:
        files, problem = [], "no such file or folder"
    unique = list(dict.fromkeys(files))
    unique.sort(key=_mtime)
    return Source(spec, kind, tuple(unique), problem)


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found: list[Path] = []
    for folder, dirs, names in os.walk(path):
        dirs.sort()
        for name in sorted(names):
            candidate = Path(folder, name)
            if name not in SKIPPED_NAMES and candidate.is_file():
                found.append(candidate)
    return found


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def is_gzip(path: Path) -> bool:
    """True when ``path`` starts with the gzip magic bytes (whatever its name)."""
    try:
        with path.open("rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return False


def chunks(
    path: Path,
    state: ReadState,
    progress: Progress | None = None,
    chunk_bytes: int | None = None,
) -> Iterator[bytes]:
    """The file's bytes in pieces that each end just after a newline (the last piece may
    lack one). A read error ends the iteration and is recorded in ``state.error``: one
    truncated rotation must not stop the analysis of the others."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        state.error = exc.strerror or str(exc)
        return
    with raw:
        state.compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        stream: BinaryIO | gzip.GzipFile = gzip.GzipFile(fileobj=raw) if state.compressed else raw
        consumed = 0
        carry = b""
        try:
            while True:
                block = stream.read(chunk_bytes or CHUNK_BYTES)
                position = raw.tell()
                if progress is not None and position > consumed:
                    progress(position - consumed)
                consumed = max(consumed, position)
                if not block:
                    break
                state.bytes_read += len(block)
                data = carry + block
                cut = data.rfind(b"\n") + 1
                if cut == 0 and len(data) < MAX_LINE_BYTES:
                    carry = data
                    continue
                if cut == 0:
                    cut = len(data)
                carry = data[cut:]
                yield data[:cut]
        except (OSError, EOFError, zlib.error) as exc:
            state.error = f"{'gzip stream' if state.compressed else 'read'} failed: {exc}"
        if carry:
            yield carry


def total_bytes(sources: Sequence[Source]) -> int:
    """On-disk bytes of every file of ``sources``: the progress bar's 100 %."""
    total = 0
    for source in sources:
        for path in source.files:
            try:
                total += path.stat().st_size
            except OSError:
                continue
    return total


__all__ = [
    "CHUNK_BYTES",
    "Kind",
    "Progress",
    "ReadState",
    "Source",
    "chunks",
    "expand",
    "is_gzip",
    "total_bytes",
]
