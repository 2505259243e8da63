"""Following log files the way ``tail -F`` does, with the position kept in the store.

A follower reads only complete lines (a half-written last line waits for its newline) and
survives both ways logrotate rotates:

- rename and create: the file at the path changes identity (device, inode). The lines
  appended to the old file before the rename are still read, from the old file (kept open,
  or after a restart found beside the path as ``access.log.1``), then the new file is read
  from its start.
- copytruncate: the same file shrinks below the saved offset; it is read again from its
  start (the lines copied away were read before the truncation).

The position (identity and offset) is saved by the caller after the lines it got were
handled, so a restart neither loses nor re-reads a line.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

READ_CHUNK = 1 << 20
"""Bytes read per call at most, so a huge backlog is handled in steps."""


@dataclass(frozen=True)
class Position:
    device: int
    inode: int
    offset: int


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
        lines: list[str] = []
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        if self._file is None and self.position is not None:
            self._reopen_saved()
        if self._file is not None and self.position is not None:
            current = (self.position.device, self.position.inode)
            if stat is None or (stat.st_dev, stat.st_ino) != current:  # renamed away
                lines += self._drain()  # what the old file got before the rename
                self.close()
                self.position = None
            elif stat.st_size < self.position.offset:  # copytruncate
                self.position = Position(self.position.device, self.position.inode, 0)
                self._file.seek(0)
        if self._file is None:
            if stat is None:
                return lines
            self._file = open(self.path, "rb")  # noqa: SIM115 - kept open across calls
            opened = os.fstat(self._file.fileno())
            self.position = Position(opened.st_dev, opened.st_ino, 0)
        lines += self._drain()
        return lines

    def _drain(self) -> list[str]:
        assert self._file is not None and self.position is not None
        self._file.seek(self.position.offset)
        lines: list[str] = []
        while True:
            chunk = self._file.read(READ_CHUNK)
            if not chunk:
                break
            end = chunk.rfind(b"\n")
            if end < 0:  # no complete line yet: wait for the rest
                break
            complete = chunk[: end + 1]
            lines += complete.decode("utf-8", errors="replace").splitlines()
            self.position = Position(
                self.position.device, self.position.inode, self.position.offset + len(complete)
            )
            self._file.seek(self.position.offset)
        return lines

    def _reopen_saved(self) -> None:
        """After a restart: the saved file, wherever rotation moved it."""
        assert self.position is not None
        for candidate in [str(self.path), *sorted(glob.glob(f"{self.path}.*"))]:
            if candidate.endswith(".gz"):
                continue
            try:
                stat = os.stat(candidate)
            except FileNotFoundError:
                continue
            if (stat.st_dev, stat.st_ino) == (self.position.device, self.position.inode):
                self._file = open(candidate, "rb")  # noqa: SIM115 - kept open across calls
                if stat.st_size < self.position.offset:  # truncated while we were away
                    self.position = Position(self.position.device, self.position.inode, 0)
                return
        self.position = None  # the saved file is gone: start with the current one
