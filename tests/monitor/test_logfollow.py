"""Following a real log file through both logrotate styles and a restart: every line once,
none lost, none read twice, and a half-written line only once it is complete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from launchready.monitor.logfollow import Follower


def append(path: Path, *lines: str, newline: bool = True) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.write("\n".join(lines) + ("\n" if newline else ""))


def test_lines_arrive_once_and_a_partial_line_waits(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    follower = Follower(log)
    assert follower.read() == []  # no file yet
    append(log, "a", "b")
    append(log, "c-part", newline=False)
    assert follower.read() == ["a", "b"]
    append(log, "-rest")
    assert follower.read() == ["c-part-rest"]
    assert follower.read() == []


def test_rename_and_create_reads_the_old_tail_then_the_new_file(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    append(log, "1", "2")
    follower = Follower(log)
    assert follower.read() == ["1", "2"]
    append(log, "3")  # written before the rotation, not yet read
    os.rename(log, tmp_path / "access.log.1")
    append(log, "4")
    assert follower.read() == ["3", "4"]
    append(log, "5")
    assert follower.read() == ["5"]


def test_copytruncate_starts_the_file_again(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    append(log, "1", "2")
    follower = Follower(log)
    assert follower.read() == ["1", "2"]
    shutil.copy(log, tmp_path / "access.log.1")
    with log.open("r+") as handle:
        handle.truncate(0)
    append(log, "3")
    assert follower.read() == ["3"]


def test_a_restart_resumes_from_the_saved_position_even_after_a_rename(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    append(log, "1", "2")
    first = Follower(log)
    assert first.read() == ["1", "2"]
    saved = first.position
    first.close()
    append(log, "3")  # written while the monitor was down...
    os.rename(log, tmp_path / "access.log.1")  # ...then rotated away
    append(log, "4")
    restarted = Follower(log, saved)
    assert restarted.read() == ["3", "4"]
    restarted.close()
