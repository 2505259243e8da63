"""``launchready secrets scan`` through the real command line: exit codes, baselines, --url."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from launchready.demo.credentials import aws_key_pair
from tests.checks.test_secrets import make_repo, stripe_key
from tests.cli.test_env_cli import REGISTER, run_cli
from tests.secrets.test_bundle import Site, _start


def scan(cwd: Path, *args: str | Path) -> tuple[int, dict[str, Any], str]:
    result = run_cli(cwd, "secrets", "secrets", "scan", *args, "--format", "json")
    document = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, document, result.stderr


def ids(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["id"], f["target"]) for f in document["findings"]}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    aws_id, aws_secret = aws_key_pair()
    return make_repo(
        tmp_path / "repo",
        [
            {"README.md": "shop\n"},
            {"aws.json": f'{{"id": "{aws_id}", "secret": "{aws_secret}"}}\n'},
            {"aws.json": None},
            {".env": f"STRIPE_SECRET_KEY={stripe_key()}\n"},
        ],
    )


def test_tree_scan_without_a_manifest_exits_1(repo: Path, tmp_path: Path) -> None:
    code, document, stderr = scan(tmp_path, "repo")
    assert code == 1, stderr
    assert ids(document) == {("secrets.in-tree", "repo/.env")}
    assert document["findings"][0]["severity"] == "blocker"


def test_history_adds_deleted_keys(repo: Path, tmp_path: Path) -> None:
    code, document, _ = scan(tmp_path, "repo", "--history")
    assert code == 1
    assert ids(document) == {
        ("secrets.in-tree", "repo/.env"),
        ("secrets.in-history", "repo/aws.json"),
    }
    history = [f for f in document["findings"] if f["id"] == "secrets.in-history"]
    assert all(f["evidence"]["commit"] and f["evidence"]["author_date"] for f in history)


def test_default_path_is_the_current_folder(repo: Path) -> None:
    code, document, _ = scan(repo)
    assert code == 1
    assert ids(document) == {("secrets.in-tree", ".env")}


def test_staged_file_names_as_pre_commit_passes_them(repo: Path) -> None:
    (repo / "clean.js").write_text("const ok = 1;\n")
    code, document, _ = scan(repo, "clean.js", "README.md")
    assert (code, document["findings"]) == (0, [])
    code, document, _ = scan(repo, "clean.js", ".env")
    assert code == 1
    assert ids(document) == {("secrets.in-tree", ".env")}


def test_baseline_round_trip(repo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run_cli(
        tmp_path,
        "secrets",
        "secrets",
        "scan",
        "repo",
        "--history",
        "--baseline",
        baseline,
        "--update-baseline",
    )
    assert written.returncode == 0, written.stderr
    assert baseline.exists()
    code, document, _ = scan(tmp_path, "repo", "--history", "--baseline", baseline)
    assert (code, document["findings"]) == (0, [])
    (repo / "new.js").write_text(f'const k = "{stripe_key()}";\n')
    code, document, _ = scan(tmp_path, "repo", "--history", "--baseline", baseline)
    assert code == 1
    assert ids(document) == {("secrets.in-tree", "repo/new.js")}


def test_fail_on_never_exits_0(repo: Path, tmp_path: Path) -> None:
    code, document, _ = scan(tmp_path, "repo", "--fail-on", "never")
    assert code == 0 and document["findings"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing-folder"], "no such file or folder"),
        (["--update-baseline"], "--update-baseline needs --baseline"),
        (["--fail-on", "sometimes"], "--fail-on"),
        (["-m", "nope.yaml"], "nope.yaml"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli(tmp_path, "secrets", "secrets", "scan", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_clean_folder_exits_0(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("console.log('hi');\n")
    code, document, _ = scan(tmp_path)
    assert (code, document["findings"]) == (0, [])


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async for lab in _start(tmp_path):
        yield lab


def lab_manifest(folder: Path, lab: Site) -> Path:
    hosts = ("www.shop.test", "static.shop.test", "cdn.other.test")
    resolve = "".join(f"    {h}:443: 127.0.0.1:{lab.port}\n" for h in hosts)
    path = folder / "launchready.yaml"
    path.write_text(
        f"site:\n  domain: shop.test\nnetwork:\n  ca_bundle: {lab.ca_path}\n  resolve:\n{resolve}"
    )
    return path


async def run_async(cwd: Path, module: str, *args: str) -> tuple[int, str, str]:
    """The CLI in a subprocess while this event loop keeps serving the lab site."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment["NO_COLOR"] = "1"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        REGISTER.format(module=module, name=module),
        *args,
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_url_uses_the_manifest_network(site: Site, tmp_path: Path) -> None:
    lab_manifest(tmp_path, site)
    (tmp_path / "empty").mkdir()
    code, out, err = await run_async(
        tmp_path,
        "secrets",
        "secrets",
        "scan",
        "empty",
        "--url",
        "https://www.shop.test/",
        "--format",
        "json",
    )
    assert code == 1, err
    targets = {(f["id"], f["target"]) for f in json.loads(out)["findings"]}
    assert ("secrets.in-frontend", "https://www.shop.test/static/app.js") in targets
    assert ("secrets.in-frontend", "https://www.shop.test/static/app.js.map#../src/config.js") in (
        targets
    )
    assert not any("cdn.other.test" in t for _, t in targets)


async def test_a_page_that_does_not_load_is_reported_as_not_scanned(
    site: Site, tmp_path: Path
) -> None:
    lab_manifest(tmp_path, site)
    (tmp_path / "empty").mkdir()
    code, out, err = await run_async(
        tmp_path,
        "secrets",
        "secrets",
        "scan",
        "empty",
        "--url",
        "https://www.shop.test/missing",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 0, err
    assert document["checks"] == [
        {
            "area": "secrets",
            "status": "error",
            "duration_ms": document["checks"][0]["duration_ms"],
            "error": "connectivity: https://www.shop.test/missing: answered 404",
        }
    ]


def test_a_url_must_be_http(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "secrets", "secrets", "scan", "--url", "ftp://shop.test/")
    assert result.returncode == 2
    assert "http:// or https://" in result.stderr


def test_a_broken_manifest_does_not_block_a_file_scan(tmp_path: Path) -> None:
    (tmp_path / "launchready.yaml").write_text("site: [not, a, mapping]\n")
    (tmp_path / "app.js").write_text("console.log('hi');\n")
    code, document, stderr = scan(tmp_path, "app.js")
    assert (code, document["findings"]) == (0, []), stderr
    result = run_cli(tmp_path, "secrets", "secrets", "scan", "--url", "https://www.shop.test/")
    assert result.returncode == 2
    assert "launchready.yaml" in result.stderr
