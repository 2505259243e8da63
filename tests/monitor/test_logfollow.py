"""Following a real log file through both logrotate styles and a restart: every line once,
none lost, none read twice, and a half-written line only once it is complete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from launchready.monitor.logfollow import MAX_LINE_BYTES, Follower


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


def copytruncate(log: Path, copy: Path) -> None:
    """What logrotate's copytruncate does: copy the file aside, then cut it to nothing."""
    shutil.copy(log, copy)
    with log.open("r+") as handle:
        handle.truncate(0)


def test_copytruncate_recovers_lines_written_after_the_last_read_from_the_copy(
    tmp_path: Path,
) -> None:
    log = tmp_path / "access.log"
    append(log, "1", "2")
    follower = Follower(log)
    assert follower.read() == ["1", "2"]
    append(log, "3", "4")  # not read before the copy
    copytruncate(log, tmp_path / "access.log.1")
    append(log, "5")
    assert follower.read() == ["3", "4", "5"]


def test_copytruncate_is_seen_even_when_the_file_grew_past_the_old_offset(
    tmp_path: Path,
) -> None:
    log = tmp_path / "access.log"
    append(log, "first line")
    follower = Follower(log)
    assert follower.read() == ["first line"]
    copytruncate(log, tmp_path / "access.log.1")
    append(log, "a much longer line than the first", "and another")  # past the old offset
    assert follower.read() == ["a much longer line than the first", "and another"]


def test_copytruncate_while_stopped_resumes_from_the_copy(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    append(log, "1")
    first = Follower(log)
    assert first.read() == ["1"]
    saved = first.position
    first.close()
    append(log, "2")
    copytruncate(log, tmp_path / "access.log.1")
    append(log, "3")
    restarted = Follower(log, saved)
    assert restarted.read() == ["2", "3"]
    restarted.close()


def test_a_first_start_skips_what_the_file_already_holds(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    append(log, "old 1", "old 2")
    append(log, "half", newline=False)
    follower = Follower(log)
    follower.start_at_end()
    append(log, " done", "new")
    assert follower.read() == ["half done", "new"]
    follower.close()


def test_an_endless_line_is_cut_instead_of_waited_for(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(b"x" * (MAX_LINE_BYTES + 10))
    follower = Follower(log)
    lines = follower.read()
    assert [len(line) for line in lines] == [MAX_LINE_BYTES]
    assert follower.position is not None and follower.position.offset == MAX_LINE_BYTES
    append(log, "")  # the rest of it ends
    assert follower.read() == ["x" * 10]
    follower.close()
