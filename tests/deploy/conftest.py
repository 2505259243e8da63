"""Real git repositories with real builds, and a small staging store whose live release is
whatever its ``current`` symlink points at, so a drill's ``ln -sfn`` deploys for real."""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import textwrap
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from tests.labserver import serve

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@shop.test",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@shop.test",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent)}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


MakeRepo = Callable[..., Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """``make_repo(committed={...}, untracked={...}, manifest=...)``: a git repository
    with one commit of ``committed``, then ``untracked`` files written after it; returns
    the manifest path (written uncommitted at the top, like a first try of launchready)."""

    def make(
        *,
        committed: dict[str, str],
        untracked: dict[str, str] | None = None,
        manifest: str,
        name: str = "shop",
    ) -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        write_files(repo, committed)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "the store")
        write_files(repo, untracked or {})
        path = repo / "launchready.yaml"
        path.write_text(textwrap.dedent(manifest).lstrip(), encoding="utf-8")
        return path

    return make


@dataclass
class Staging:
    """A staging store on loopback: ``releases/<name>/`` folders of static files, the
    live one chosen by the ``current`` symlink, read on every request. A release may hold
    a ``delay`` file: seconds every answer waits (a slow cold start)."""

    root: Path
    origin: str = ""
    requests: int = 0
    served: dict[str, int] = field(default_factory=dict)

    def release(self, name: str, files: dict[str, str]) -> None:
        write_files(self.root / "releases" / name, files)

    def go_live(self, name: str) -> None:
        link = self.root / "current"
        link.unlink(missing_ok=True)
        link.symlink_to(Path("releases") / name)

    def live(self) -> str:
        return (self.root / "current").readlink().name


GOOD = {"index.html": "<h1>Candles</h1>", "healthz": "ok", "checkout": "<form>pay</form>"}
BAD = {"index.html": "<h1>Candles v2</h1>", "healthz": "ok"}  # checkout lost in the release


@pytest.fixture
async def staging(tmp_path: Path) -> AsyncIterator[Staging]:
    store = Staging(tmp_path / "staging")
    store.release("good", GOOD)
    store.release("bad", BAD)
    store.go_live("good")

    async def page(request: web.Request) -> web.StreamResponse:
        store.requests += 1
        current = store.root / "current"
        name = request.match_info["path"] or "index.html"
        delay = current / "delay"
        if await asyncio.to_thread(delay.exists):
            await asyncio.sleep(float(await asyncio.to_thread(delay.read_text)))
        path = current / name
        if ".." in name or not await asyncio.to_thread(path.is_file):
            return web.Response(status=404, text="not found")
        release = current.readlink().name
        store.served[release] = store.served.get(release, 0) + 1
        return web.Response(text=await asyncio.to_thread(path.read_text), content_type="text/html")

    app = web.Application()
    app.router.add_get("/{path:.*}", page)
    async with serve(app) as origin:
        store.origin = origin
        yield store


def drill_manifest(staging: Staging, *, deploy: str, rollback: str, budget: str = "5s") -> str:
    """A manifest whose drill runs in the staging folder's parent (the manifest's)."""
    return f"""
        site:
          domain: shop.test
          hosts: [{{name: www.shop.test, role: storefront}}]
        routes:
          - {{name: home, url: "https://www.shop.test/"}}
          - {{name: health, url: "https://www.shop.test/healthz", health: true}}
          - {{name: checkout, url: "https://www.shop.test/checkout", checkout: true}}
        deploy:
          rollback: ["{rollback}"]
          drill:
            base_url: {staging.origin}
            deploy: "{deploy}"
            rollback: "{rollback}"
            budget: {budget}
    """


def exits_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` has ended, or ends within ``seconds``: its pidfd becomes
    readable when it exits (a kill is delivered asynchronously, so the check waits for
    that event instead of sampling a moment too early)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], seconds)
        return bool(readable)
    finally:
        os.close(fd)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")
