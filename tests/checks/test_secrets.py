"""The secrets area on real git repositories made here, and on the demo store."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
from pathlib import Path

import pytest

from launchready.checks import secrets as area
from launchready.demo.credentials import STRIPE_LIVE_PREFIX, aws_key_pair
from launchready.manifest import load_manifest
from launchready.secrets import Scanner

from .support import check_context


def stripe_key() -> str:
    """A key-shaped value made at runtime: no key literal lives in the source."""
    alphabet = string.ascii_letters + string.digits
    return STRIPE_LIVE_PREFIX + "".join(secrets.choice(alphabet) for _ in range(40))


def git(repo: Path, *args: str) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@shop.test",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@shop.test",
    }
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def make_repo(path: Path, commits: list[dict[str, str | None]]) -> Path:
    """A repository with one commit per dict (name -> text, None deletes the file)."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "--initial-branch=main")
    for number, files in enumerate(commits):
        for name, text in files.items():
            target = path / name
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
        git(path, "add", "--all")
        git(path, "commit", "-q", "-m", f"commit {number}")
    return path


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A repo with a live key in a tracked .env, an AWS pair deleted from history, an
    untracked file with a key, and an ignored file with a key."""
    aws_id, aws_secret = aws_key_pair()
    keys = {
        "env": stripe_key(),
        "untracked": stripe_key(),
        "ignored": stripe_key(),
        "aws_id": aws_id,
        "aws_secret": aws_secret,
    }
    repo = make_repo(
        tmp_path / "repo",
        [
            {"README.md": "shop\n", ".gitignore": "local.env\n", ".env.example": "KEY=\n"},
            {"aws.json": f'{{"id": "{aws_id}", "secret": "{aws_secret}"}}\n'},
            {"aws.json": None},
            {".env": f"STRIPE_SECRET_KEY={keys['env']}\n"},
        ],
    )
    (repo / "notes.txt").write_text(f"key: {keys['untracked']}\n")
    (repo / "local.env").write_text(f"STRIPE_SECRET_KEY={keys['ignored']}\n")
    return repo, keys


async def test_tree_history_and_dotenv(leaky: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, keys = leaky
    found = await area.collect(Scanner(), paths=[repo], base=tmp_path, history=True, dotenv=True)
    tree = {m.secret: m.path for m in found.tree}
    assert tree[keys["env"]] == "repo/.env"
    assert tree[keys["untracked"]] == "repo/notes.txt"
    assert keys["ignored"] not in tree
    history = {m.secret for m in found.history}
    assert {keys["aws_id"], keys["aws_secret"]} & history, "the deleted AWS pair"
    assert keys["env"] not in history, "a value still in the tree is an in-tree finding only"
    assert all(m.path == "repo/aws.json" and m.commit for m in found.history)
    assert found.dotenv == ["repo/.env"]
    ids = {f.id for f in found.findings()}
    assert ids == {
        "secrets.in-tree",
        "secrets.in-history",
        "secrets.dotenv-committed",
    }


async def test_findings_are_stable_and_baseline_suppresses(
    leaky: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, _ = leaky
    scanner = Scanner()
    first = await area.collect(scanner, paths=[repo], base=tmp_path, history=True)
    (repo / "README.md").write_text("shop\n\nmore lines\n")  # unrelated edit
    again = await area.collect(scanner, paths=[repo], base=tmp_path, history=True)
    assert {f.fingerprint for f in first.findings()} == {f.fingerprint for f in again.findings()}
    path = tmp_path / "baseline.json"
    assert area.load_baseline(path) is None  # not written yet: accepts nothing
    area.write_baseline(path, first.matches)
    accepted = area.load_baseline(path)
    assert accepted is not None
    assert again.findings(accepted) == []
    fresh = stripe_key()
    (repo / "new.js").write_text(f'const k = "{fresh}";\n')
    later = await area.collect(scanner, paths=[repo], base=tmp_path)
    assert [f.target for f in later.findings(accepted)] == ["repo/new.js"]


def test_dotenv_names() -> None:
    assert area.is_dotenv(".env")
    assert area.is_dotenv(".env.production")
    assert not area.is_dotenv(".env.example")
    assert not area.is_dotenv(".env.sample")
    assert not area.is_dotenv(".env.template")
    assert not area.is_dotenv("env.txt")


async def test_a_folder_outside_git_is_scanned_whole(tmp_path: Path) -> None:
    key = stripe_key()
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "config.js").write_text(f'k = "{key}"\n')
    found = await area.collect(
        Scanner(), paths=[tmp_path / "plain"], base=tmp_path, history=True, dotenv=True
    )
    assert [(m.path, m.secret == key) for m in found.tree] == [("plain/config.js", True)]
    assert found.history == [] and found.dotenv == []


async def test_flawed_demo(flawed: Path) -> None:
    manifest = load_manifest(flawed)
    async with check_context(manifest) as ctx:
        findings = await area.run(ctx)
    by_id: dict[str, set[str]] = {}
    for f in findings:
        by_id.setdefault(f.id, set()).add(f.target)
    assert "repo/.env" in by_id["secrets.in-tree"]
    assert "repo/.env" in by_id["secrets.dotenv-committed"]
    assert "repo/config/aws.json" in by_id["secrets.in-history"]
    frontend = by_id["secrets.in-frontend"]
    assert any(t.endswith("/static/app.js") for t in frontend)
    assert any("/static/app.js.map#" in t for t in frontend)


async def test_fixed_demo_is_clean(fixed: Path) -> None:
    async with check_context(load_manifest(fixed)) as ctx:
        assert await area.run(ctx) == []


def test_area_runs_with_pages_or_a_section(flawed: Path) -> None:
    manifest = load_manifest(flawed)
    assert area.skip_reason(manifest) is None
    site = manifest.site.model_copy(update={"canonical": None})
    bare = manifest.model_copy(update={"secrets": None, "routes": [], "site": site})
    assert area.skip_reason(bare) is not None
