"""Following log files the way ``tail -F`` does, with the position kept in the store.

A follower reads only complete lines (a half-written last line waits for its newline) and
survives both ways logrotate rotates:

- rename and create: the file at the path changes identity (device, inode). The lines
  appended to the old file before the rename are still read, from the old file (kept open,
  or after a restart found beside the path as ``access.log.1``), then the new file is read
  from its start.
- copytruncate: the same file is cut back to nothing and written again. A truncation is
  seen either because the file is now shorter than the saved offset or, when it has
  already grown past it again, because the bytes just before the offset are no longer the
  ones read there (the position keeps the last few bytes read as a fingerprint). Lines
  written after the last read but before the copy are taken from the copy
  (``access.log.1``, found by the same fingerprint), then the file is read from its start.
  Only what a writer adds between logrotate's copy and its truncation is lost, and that
  is in neither file.

The position (identity, offset, fingerprint) is saved by the caller after the lines it got
were handled, so a restart neither loses nor re-reads a line.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from launchready.logs.sources import is_gzip

READ_CHUNK = 1 << 20
"""Bytes read per step, so a huge backlog is handled in steps."""
MAX_LINE_BYTES = 1 << 20
"""A "line" longer than this (a binary file, a log without newlines) is cut here rather
than waited for forever."""
FINGERPRINT_BYTES = 64
"""How many of the bytes read last the position keeps to recognise its file's content."""
BACKWARD_STEP = 1 << 16


@dataclass(frozen=True)
class Position:
    device: int
    inode: int
    offset: int
    fingerprint: bytes = b""
    """The last bytes before ``offset`` (at most :data:`FINGERPRINT_BYTES`)."""


@dataclass
class Follower:
    """One followed path and the file currently read."""

    path: Path
    position: Position | None = None
    _file: BinaryIO | None = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def read(self) -> list[str]:
        """The complete lines appended since the last call (across a rotation)."""
        return self.read_bytes().decode("utf-8", errors="replace").splitlines()

    def start_at_end(self) -> None:
        """Skip what the file holds now (a monitor watching a log for the first time
        judges new traffic, not last month's), up to its last complete line."""
        self.close()
        try:
            self._file = open(self.path, "rb")  # noqa: SIM115 - kept open across calls
        except FileNotFoundError:
            self.position = None
            return
        opened = os.fstat(self._file.fileno())
        end = _after_last_newline(self._file, opened.st_size)
        self.position = Position(opened.st_dev, opened.st_ino, end, _bytes_before(self._file, end))

    def read_bytes(self) -> bytes:
        """The complete lines appended since the last call (across a rotation), as bytes
        ending with a newline, or ``b""``."""
        parts: list[bytes] = []
        try:
            stat: os.stat_result | None = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        if self._file is None and self.position is not None:
            self._reopen_saved()
        if self._file is not None and self.position is not None:
            saved = self.position
            if stat is None or (stat.st_dev, stat.st_ino) != (saved.device, saved.inode):
                parts.append(self._drain())  # what the old file got before the rename
                self.close()
                self.position = None
            elif self._truncated(stat.st_size):
                parts.append(_from_copy(self.path, saved))
                self.position = Position(saved.device, saved.inode, 0)
        if self._file is None:
            if stat is None:
                return b"".join(parts)
            try:
                self._file = open(self.path, "rb")  # noqa: SIM115 - kept open across calls
            except FileNotFoundError:  # rotated away between the stat and the open
                return b"".join(parts)
            opened = os.fstat(self._file.fileno())
            self.position = Position(opened.st_dev, opened.st_ino, 0)
        parts.append(self._drain())
        return b"".join(parts)

    def _truncated(self, size: int) -> bool:
        assert self._file is not None and self.position is not None
        saved = self.position
        if size < saved.offset:
            return True
        if not saved.fingerprint:
            return False
        return _bytes_before(self._file, saved.offset, len(saved.fingerprint)) != (
            saved.fingerprint
        )

    def _drain(self) -> bytes:
        assert self._file is not None and self.position is not None
        saved = self.position
        lines, consumed = _complete_lines(self._file, saved.offset)
        if consumed:
            offset = saved.offset + consumed
            self.position = Position(
                saved.device, saved.inode, offset, _bytes_before(self._file, offset)
            )
        return lines

    def _reopen_saved(self) -> None:
        """After a restart: the saved file, wherever rotation moved it."""
        assert self.position is not None
        saved = self.position
        for candidate in [str(self.path), *_rotations(self.path)]:
            try:
                stat = os.stat(candidate)
            except FileNotFoundError:
                continue
            if (stat.st_dev, stat.st_ino) == (saved.device, saved.inode):
                self._file = open(candidate, "rb")  # noqa: SIM115 - kept open across calls
                return  # truncated while we were away: read_bytes sees it as usual
        self.position = None  # the saved file is gone: start with the current one


def _complete_lines(file: BinaryIO, offset: int) -> tuple[bytes, int]:
    """The lines from ``offset`` up to the last newline, and how many bytes of the file
    they took; a line longer than :data:`MAX_LINE_BYTES` without a newline is cut there
    and given one, so the lines can be a little longer than the bytes consumed."""
    lines: list[bytes] = []
    consumed = 0
    pending = b""
    file.seek(offset)
    while chunk := file.read(READ_CHUNK):
        pending += chunk
        end = pending.rfind(b"\n")
        if end >= 0:
            lines.append(pending[: end + 1])
            consumed += end + 1
            pending = pending[end + 1 :]
        while len(pending) >= MAX_LINE_BYTES:
            lines.append(pending[:MAX_LINE_BYTES] + b"\n")
            consumed += MAX_LINE_BYTES
            pending = pending[MAX_LINE_BYTES:]
    return b"".join(lines), consumed


def _bytes_before(file: BinaryIO, offset: int, count: int = FINGERPRINT_BYTES) -> bytes:
    start = max(0, offset - count)
    file.seek(start)
    return file.read(offset - start)


def _after_last_newline(file: BinaryIO, size: int) -> int:
    """The offset just after the file's last newline (0 when it has none)."""
    end = size
    while end > 0:
        start = max(0, end - BACKWARD_STEP)
        file.seek(start)
        found = file.read(end - start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0


def _rotations(path: Path) -> list[str]:
    """The uncompressed rotations beside ``path``: ``access.log.1``, ``access.log-20261126``
    (newest first)."""
    found = {*glob.glob(glob.escape(str(path)) + ".*"), *glob.glob(glob.escape(str(path)) + "-*")}
    plain = [f for f in found if os.path.isfile(f) and not is_gzip(Path(f))]
    return sorted(plain, key=_mtime, reverse=True)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _from_copy(path: Path, saved: Position) -> bytes:
    """After a copytruncate: the lines the copy holds beyond ``saved``'s offset (written
    after our last read, before the copy), from the rotation whose bytes before that offset
    are the fingerprint; ``b""`` when no copy is recognised."""
    if not saved.fingerprint:
        return b""
    for candidate in _rotations(path):
        try:
            with open(candidate, "rb") as copy:
                if _bytes_before(copy, saved.offset, len(saved.fingerprint)) != saved.fingerprint:
                    continue
                lines, consumed = _complete_lines(copy, saved.offset)
                copy.seek(saved.offset + consumed)
                rest = copy.read()  # a last line cut by the truncation: its start
                return lines + (rest + b"\n" if rest else b"")
        except OSError:
            continue
    return b""
