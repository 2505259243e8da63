"""History: every blob reachable from HEAD, scanned once, credited to its first commit."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from launchready.errors import InputError
from launchready.secrets import Match, Scanner
from tests.secrets.corpus import expand


def git(repo: Path, *args: str, date: str = "2024-01-02T03:04:05+00:00") -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.test",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    out = subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)
    return out.stdout.decode().strip()


def commit(repo: Path, files: dict[str, str | None], date: str) -> str:
    for name, text in files.items():
        target = repo / name
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    git(repo, "add", "--all")
    git(repo, "commit", "-q", "--allow-empty", "-m", "c", date=date)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "shop"
    path.mkdir()
    git(path, "init", "-q", "--initial-branch=main")
    return path


def test_deleted_secret_is_found_with_its_adding_commit(repo: Path) -> None:
    value = expand("sk_live_{rand32}")
    commit(repo, {"README.md": "shop\n"}, "2024-01-01T00:00:00+00:00")
    adding = commit(
        repo,
        {"config/settings.py": f"DEBUG = 1\nSTRIPE = '{value}'\n"},
        "2024-02-03T04:05:06+00:00",
    )
    commit(
        repo,
        {"config/settings.py": "DEBUG = 1\nSTRIPE = os.environ['STRIPE']\n"},
        "2024-03-01T00:00:00+00:00",
    )
    commit(repo, {"config/settings.py": None}, "2024-04-01T00:00:00+00:00")
    found = Scanner().scan_history(repo)
    assert found == [
        Match(
            "stripe-secret-key", "config/settings.py", 2, value, adding, "2024-02-03T04:05:06+00:00"
        )
    ]


def test_each_blob_is_scanned_once(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value = expand("ghp_{rand36}")
    first = commit(repo, {"ci.yml": f"token: {value}\n"}, "2024-01-01T00:00:00+00:00")
    for i in range(12):
        commit(
            repo,
            {"notes.txt": f"note {i}\n", "copy/ci.yml": f"token: {value}\n"},
            f"2024-01-{i + 2:02d}T00:00:00+00:00",
        )
    calls: Counter[str] = Counter()
    original = Scanner.scan_bytes

    def counting(self: Scanner, data: bytes, path: str) -> list[Match]:
        calls[path] += 1
        return original(self, data, path)

    monkeypatch.setattr(Scanner, "scan_bytes", counting)
    found = Scanner().scan_history(repo)
    # ci.yml and copy/ci.yml hold the same blob: scanned once, credited to the oldest commit
    assert [(m.path, m.commit) for m in found] == [("ci.yml", first)]
    assert calls["ci.yml"] == 1 and "copy/ci.yml" not in calls
    assert calls["notes.txt"] == 12  # twelve distinct contents
    assert set(calls.values()) == {1, 12}


def test_history_skips_vendored_and_binary(repo: Path) -> None:
    value = expand("sk_live_{rand32}")
    commit(
        repo, {"node_modules/x/i.js": f"k='{value}'", "README": "x"}, "2024-01-01T00:00:00+00:00"
    )
    (repo / "img.bin").write_bytes(b"\0\0" + value.encode())
    commit(repo, {}, "2024-01-02T00:00:00+00:00")
    assert Scanner().scan_history(repo) == []


def test_merge_commits_and_branches(repo: Path) -> None:
    value = expand("xoxb-{digits12}-{digits13}-{rand24}")
    commit(repo, {"a": "1\n"}, "2024-01-01T00:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "feature")
    adding = commit(repo, {"slack.env": f"SLACK={value}\n"}, "2024-01-02T00:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"b": "2\n"}, "2024-01-03T00:00:00+00:00")
    git(repo, "merge", "-q", "--no-ff", "-m", "m", "feature", date="2024-01-04T00:00:00+00:00")
    found = Scanner().scan_history(repo)
    assert [(m.rule_id, m.path, m.commit) for m in found] == [("slack-token", "slack.env", adding)]


def test_empty_repository_and_not_a_repository(repo: Path, tmp_path: Path) -> None:
    assert Scanner().scan_history(repo) == []
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError):
        Scanner().scan_history(plain)


def test_a_key_kept_across_edits_is_reported_once_at_its_first_commit(repo: Path) -> None:
    value = expand("sk_live_{rand32}")
    adding = commit(repo, {"app.py": f"K = '{value}'\n"}, "2024-01-01T00:00:00+00:00")
    for i in range(5):
        body = f"# edit {i}\n" * (i + 1) + f"K = '{value}'\n"
        commit(repo, {"app.py": body}, f"2024-01-{i + 2:02d}T00:00:00+00:00")
    found = Scanner().scan_history(repo)
    assert [(m.path, m.line, m.commit) for m in found] == [("app.py", 1, adding)]
