"""The repository side of ``deploy check``: where HEAD is, a clean clone of it, and what
the working tree has that HEAD does not.

A clean clone is what CI and a new developer get: committed files only. Whatever the
working tree adds to it (untracked and ignored files, uncommitted edits, deletions) is an
:class:`Extra`; overlaying some or all of them on a fresh clone is how the diagnosis finds
the file a build silently depends on. The user's own working tree is never written to.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from launchready.errors import InputError

GIT_TIMEOUT = 300.0
"""Seconds a local git command may take (a clone of a large repository included)."""


@dataclass(frozen=True)
class Extra:
    """One difference between the working tree and HEAD, as ``git status`` names it."""

    path: str
    """Relative to the top of the repository, POSIX; a folder ends with ``/``."""
    kind: str
    """``untracked``, ``ignored``, ``modified`` or ``deleted``."""

    def describe(self) -> str:
        if self.path.endswith("/"):
            return f"{self.kind} folder {self.path}"
        return {
            "untracked": f"untracked file {self.path}",
            "ignored": f"git-ignored file {self.path}",
            "modified": f"uncommitted change to {self.path}",
            "deleted": f"uncommitted deletion of {self.path}",
        }.get(self.kind, self.path)


def git(cwd: Path, *args: str) -> str:
    """Run git; a failure is the user's repository problem, said in one line."""
    exe = shutil.which("git")
    if exe is None:
        raise InputError("deploy check needs the git command (apt-get install git)")
    try:
        done = subprocess.run(
            [exe, "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"git {args[0]} in {cwd} took longer than {GIT_TIMEOUT:g}s") from None
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(f"git {args[0]} failed in {cwd}: {problem[-1] if problem else '?'}")
    return done.stdout.decode("utf-8", errors="surrogateescape")


def toplevel(folder: Path) -> Path:
    """The top of the git work tree holding ``folder`` (the manifest's)."""
    try:
        top = git(folder, "rev-parse", "--show-toplevel").strip()
    except InputError:
        raise InputError(
            f"{folder} is not inside a git repository: deploy check builds the committed HEAD"
        ) from None
    return Path(top).resolve()


def head_commit(top: Path) -> str:
    try:
        return git(top, "rev-parse", "--verify", "HEAD^{commit}").strip()
    except InputError:
        raise InputError(
            f"{top}: the repository has no commit yet; commit the code first"
        ) from None


def clone(top: Path, commit: str, dest: Path) -> None:
    """A fresh checkout of ``commit`` at ``dest`` (no hard links: the build may write
    anywhere in its clone without touching the user's object store)."""
    git(top.parent, "clone", "--quiet", "--no-hardlinks", "--no-checkout", str(top), str(dest))
    git(dest, "checkout", "--quiet", "--detach", commit)


def extras(top: Path) -> list[Extra]:
    """What the working tree has that HEAD has not (``git status --porcelain --ignored``):
    untracked files one by one (so the diagnosis can name the file, not its folder),
    ignored ones by folder (a ``node_modules`` is one entry, not a hundred thousand)."""
    listed = _status(top, "--untracked-files=all")
    ignored = [
        e for e in _status(top, "--ignored", "--untracked-files=normal") if e.kind == "ignored"
    ]
    return [e for e in listed if e.kind != "ignored"] + ignored


def _status(top: Path, *options: str) -> list[Extra]:
    raw = git(top, "status", "--porcelain=v1", "-z", *options)
    fields = raw.split("\0")
    found: list[Extra] = []
    index = 0
    while index < len(fields):
        entry = fields[index]
        index += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if "R" in code or "C" in code:
            index += 1  # the original path follows a rename or copy
        if code == "??":
            kind = "untracked"
        elif code == "!!":
            kind = "ignored"
        elif "D" in code:
            kind = "deleted"
        else:
            kind = "modified"
        found.append(Extra(path, kind))
    return found


def overlay(top: Path, dest: Path, chosen: list[Extra]) -> None:
    """Make the clone at ``dest`` look like the working tree for ``chosen`` entries."""
    for extra in chosen:
        source = top / extra.path.rstrip("/")
        target = dest / extra.path.rstrip("/")
        if extra.kind == "deleted":
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            continue
        if not source.exists() and not source.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        else:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            shutil.copy2(source, target, follow_symlinks=False)


__all__ = ["Extra", "clone", "extras", "git", "head_commit", "overlay", "toplevel"]
