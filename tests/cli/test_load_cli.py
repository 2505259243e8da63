"""``launchready load`` as a user runs it, against a loopback store."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import jsonschema
import pytest
from aiohttp import web

from launchready.report.json_report import schema
from tests.conftest import CliRun
from tests.labserver import serve


@pytest.fixture
async def store() -> AsyncIterator[str]:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/{name}", ok)
    async with serve(app) as origin:
        yield origin


def manifest(write: Callable[[str], Path], origin: str) -> Path:
    return write(
        f"""
        site: {{domain: shop.test}}
        routes:
          - {{name: home, url: "{origin}/home"}}
          - {{name: product, url: "{origin}/product"}}
        load: {{users: 5, duration: 2s, mix: {{home: 3, product: 1}}}}
        """
    )


async def run_cli(*args: str | Path) -> tuple[int | None, str, str]:
    """The CLI in a subprocess without blocking this loop, which serves the store."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launchready",
        *map(str, args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()


async def test_open_model_report_validates(
    store: str, write_manifest: Callable[[str], Path]
) -> None:
    code, stdout, stderr = await run_cli(
        "load", "-m", manifest(write_manifest, store), "--rate", "30", "--format", "json"
    )
    assert code == 0, stderr
    data = json.loads(stdout)
    jsonschema.validate(data, schema())
    assert data["command"] == "load"
    load = data["extras"]["load"]
    assert load["model"] == "open"
    routes = {r["route"]: r for r in load["routes"]}
    assert routes["home"]["requests"] > routes["product"]["requests"] > 0
    assert data["findings"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "5", "--workers", "2"], "--rate"),
        (["--remote-workers", "1"], "--spec-out"),
        (["--master-bind", "0.0.0.0:http"], "--master-bind"),
        (["--users", "5000"], "capped at 1000 users"),
    ],
)
def test_bad_input_exits_2(
    cli: CliRun, write_manifest: Callable[[str], Path], args: list[str], message: str
) -> None:
    done = cli("load", "-m", manifest(write_manifest, "http://127.0.0.1:9"), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
