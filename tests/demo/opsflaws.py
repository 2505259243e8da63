"""Observers of the staging side's planted flaws (dependencies, drill, build).

Each looks at the store from outside, like the other observers of ``test_demo_flaws``:
a relay of our own (``relay.py``) on a dependency's ``listen`` address plays the part
``launchready chaos`` plays, the drill's shell commands run in a real shell from the
manifest's folder, and the build runs in a real clean clone. None of it imports the
``chaos`` or ``deploy`` packages.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from launchready.manifest.models import Dependency

from .relay import relay

if TYPE_CHECKING:
    from .conftest import Probe

Observer = Callable[["Probe"], Awaitable[bool]]
OPS_OBSERVERS: dict[str, Observer] = {}
DELAY_S = 0.15
"""Latency the relay adds to each answer chunk of the email provider."""
HANG_WAIT_S = 2.5
"""How long a request may take while a dependency hangs: above the fixed bot's 1.5 s bound."""
STRIPE_KEY = re.compile(r"sk_live_[0-9A-Za-z]{24,}")
GOOD, BAD = "v2", "v3-bad"


def _observes(finding_id: str) -> Callable[[Observer], Observer]:
    def register(observer: Observer) -> Observer:
        OPS_OBSERVERS[finding_id] = observer
        return observer

    return register


def dependency(p: Probe, name: str) -> Dependency:
    return next(d for d in p.manifest.dependencies if d.name == name)


def base_url(p: Probe) -> str:
    assert p.manifest.deploy is not None and p.manifest.deploy.drill is not None
    assert p.manifest.deploy.drill.base_url is not None
    return p.manifest.deploy.drill.base_url.rstrip("/")


async def staging_post(
    p: Probe, path: str, body: dict[str, Any], wait: float = 5.0
) -> tuple[int | None, dict[str, Any], float]:
    """POST JSON to staging: (status or None when no answer came in time, body, seconds)."""
    started = time.perf_counter()
    client_timeout = aiohttp.ClientTimeout(total=wait)
    try:
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.post(base_url(p) + path, json=body) as response,
        ):
            text = await response.text()
            return response.status, _json(text), time.perf_counter() - started
    except TimeoutError:
        return None, {}, time.perf_counter() - started


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {"text": text}
    return data if isinstance(data, dict) else {"json": data}


async def checkout(
    p: Probe, cart: str = "demo-cart", wait: float = 5.0
) -> tuple[int | None, dict[str, Any], float]:
    return await staging_post(p, "/checkout/session", {"cart_id": cart}, wait)


async def chat(
    p: Probe, message: str, wait: float = 5.0
) -> tuple[int | None, dict[str, Any], float]:
    session = "probe-" + secrets.token_hex(4)
    return await staging_post(p, "/api/message", {"message": message, "session_id": session}, wait)


async def shell(p: Probe, command: str) -> int:
    """Run a drill command as the drill would: ``/bin/sh -c`` in the manifest's folder."""
    process = await asyncio.create_subprocess_shell(command, cwd=p.manifest.base_dir)
    return await asyncio.wait_for(process.wait(), 10)


def point_current(p: Probe, release: str) -> None:
    """Switch ``releases/current`` atomically (a rename over the old link)."""
    folder = p.manifest.base_dir / "releases"
    temporary = folder / f".current-{secrets.token_hex(4)}"
    os.symlink(release, temporary)
    os.replace(temporary, folder / "current")


@_observes("deps.blocking-call")
async def _blocking(p: Probe) -> bool:
    """Checkout slows down by (at least most of) the latency added to the mail provider."""
    email = dependency(p, "email-provider")
    async with relay(email.listen, email.upstream, delay=DELAY_S):
        status, _, elapsed = await checkout(p)
    assert status == 200
    return elapsed >= 0.8 * DELAY_S


@_observes("deps.no-timeout")
async def _no_timeout(p: Probe) -> bool:
    """With both providers accepting and never answering, a route gives no answer."""
    email, llm = dependency(p, "email-provider"), dependency(p, "llm")
    async with (
        relay(email.listen, email.upstream, mode="hang"),
        relay(llm.listen, llm.upstream, mode="hang"),
    ):
        answers = await asyncio.gather(
            checkout(p, wait=HANG_WAIT_S),
            chat(p, "Which candle burns longest?", wait=HANG_WAIT_S),
        )
    return any(status is None for status, _, _ in answers)


@_observes("deps.no-fallback")
async def _no_fallback(p: Probe) -> bool:
    """Nothing on the model's address (connection refused): the bot answers 5xx."""
    status, _, _ = await chat(p, "Do you ship to Ireland?")
    assert status is not None
    return status >= 500


@_observes("deps.no-cache")
async def _no_cache(p: Probe) -> bool:
    """The same question twice reaches the model twice."""
    llm = dependency(p, "llm")
    question = f"Which candle suits a reading nook? (ref {secrets.token_hex(4)})"
    async with relay(llm.listen, llm.upstream) as seen:
        for _ in range(2):
            status, data, _ = await chat(p, question)
            assert status == 200 and not data.get("degraded"), data
    return seen.connections >= 2


def _drill(p: Probe) -> tuple[str, str]:
    assert p.manifest.deploy is not None and p.manifest.deploy.drill is not None
    drill = p.manifest.deploy.drill
    assert drill.deploy is not None and drill.rollback is not None
    return drill.deploy, drill.rollback


@_observes("smoke.step-failed")
async def _bad_release(p: Probe) -> bool:
    """The release the drill's deploy command puts live breaks checkout."""
    try:
        assert await shell(p, _drill(p)[0]) == 0
        status, _, _ = await checkout(p)
        return status != 200
    finally:
        point_current(p, GOOD)


@_observes("deploy.rollback-failed")
async def _rollback(p: Probe) -> bool:
    """With the bad release live, the drill's rollback command must bring checkout back."""
    try:
        point_current(p, BAD)
        assert (await checkout(p))[0] == 500, "the bad release must break checkout"
        if await shell(p, _drill(p)[1]) != 0:
            return True
        status, _, _ = await checkout(p)
        return status != 200
    finally:
        point_current(p, GOOD)


def _build_env(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def _clean_build(p: Probe) -> tuple[int, str]:
    """Clone the repository, build it with only ``deploy.build_env``: (exit, artifacts)."""
    deploy = p.manifest.deploy
    assert deploy is not None and deploy.build is not None and deploy.build_env is not None
    with tempfile.TemporaryDirectory() as scratch:
        clone, home = Path(scratch) / "clone", Path(scratch) / "home"
        home.mkdir()
        repo = p.store.workdir / "repo"
        subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home)}
        env.update(_build_env(p.manifest.resolve_path(deploy.build_env)))
        done = subprocess.run(
            deploy.build, shell=True, cwd=clone, env=env, capture_output=True, timeout=30
        )
        text = ""
        for artifact in deploy.artifacts:
            for path in sorted((clone / artifact).rglob("*")):
                if path.is_file():
                    text += path.read_text(errors="replace")
        return done.returncode, text


@_observes("secrets.in-build")
async def _in_build(p: Probe) -> bool:
    """The clean build succeeds, and its output holds the live Stripe secret key."""
    code, artifacts = await asyncio.to_thread(_clean_build, p)
    assert code == 0 and "window.DEMO_CANDLES" in artifacts
    return STRIPE_KEY.search(artifacts) is not None
