"""Starting and stopping: fast, clean, repeatable, and nothing key-shaped in our sources."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from launchready.demo import DemoStore
from launchready.errors import ToolError
from launchready.manifest import load_manifest

STARTUP_BUDGET_S = 2.0
KEY_SHAPES = (
    re.compile(r"sk_(live|test)_[0-9A-Za-z]{24,}"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"whsec_[0-9A-Za-z]{24,}"),
    re.compile(r"SG\.[\w-]{22}\.[\w-]{43}"),
)
ROOT = Path(__file__).resolve().parents[2]


def _head(workdir: Path) -> str:
    result = subprocess.run(
        ["git", "-C", str(workdir / "repo"), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("fixed", [False, True], ids=["flawed", "fixed"])
def test_start_stop_leaves_nothing_running(tmp_path: Path, fixed: bool) -> None:
    before = set(threading.enumerate())
    store = DemoStore(tmp_path, fixed=fixed)
    store.start()
    assert store.startup_seconds is not None and store.startup_seconds < STARTUP_BUDGET_S
    ports, staging = store.ports, store.staging_ports
    assert ports is not None and staging is not None
    assert len(set(threading.enumerate()) - before) == 1
    manifest = load_manifest(store.manifest_path, environ={})
    assert manifest.site.domain == store.domain
    store.stop()
    store.stop()  # idempotent
    assert set(threading.enumerate()) == before
    for port in (ports.https, ports.http, ports.dns, staging.staging, staging.smtp, staging.llm):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", port))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", ports.dns))


def test_stop_before_start_is_harmless(tmp_path: Path) -> None:
    DemoStore(tmp_path).stop()


def test_context_manager_stops_on_error(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    with pytest.raises(RuntimeError), DemoStore(tmp_path):
        raise RuntimeError("boom")
    assert set(threading.enumerate()) == before


def test_a_folder_holds_one_store(tmp_path: Path) -> None:
    with DemoStore(tmp_path), pytest.raises(ToolError, match="already holds"):
        DemoStore(tmp_path).start()


def test_starting_twice_is_refused(tmp_path: Path) -> None:
    with DemoStore(tmp_path) as store, pytest.raises(ToolError, match="already running"):
        store.start()


def test_fixed_repo_history_is_identical_between_runs(tmp_path: Path) -> None:
    with DemoStore(tmp_path / "a", fixed=True), DemoStore(tmp_path / "b", fixed=True):
        assert _head(tmp_path / "a") == _head(tmp_path / "b")


def test_credentials_are_fresh_each_run(tmp_path: Path) -> None:
    with DemoStore(tmp_path / "a") as one, DemoStore(tmp_path / "b") as two:
        assert one.settings is not None and two.settings is not None
        assert one.settings.credentials.stripe_live != two.settings.credentials.stripe_live
        assert one.settings.credentials.stripe_live.startswith("sk_" + "live_")


@pytest.mark.parametrize("fixed", [False, True], ids=["flawed", "fixed"])
def test_manifest_loads_with_an_empty_environment(tmp_path: Path, fixed: bool) -> None:
    with DemoStore(tmp_path, fixed=fixed) as store:
        text = store.manifest_path.read_text()
        manifest = load_manifest(store.manifest_path, environ={})
    assert "${" not in text
    assert manifest.network.ca_bundle == "demo-ca.pem"
    assert manifest.resolve_path("demo-ca.pem").is_file()
    assert {r.name for r in manifest.routes if r.checkout} == {"cart", "checkout-session"}
    assert [r.name for r in manifest.routes if r.health] == ["health"]
    assert manifest.chatbot is not None and manifest.chatbot.canary == "ZEBRA-7731"
    assert all(v.startswith("127.0.0.1:") for v in manifest.network.resolve.values())
    assert manifest.site.origin_ips == ["127.0.0.10"]


def test_no_key_shaped_string_in_our_sources() -> None:
    sources = [*(ROOT / "src" / "launchready").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for shape in KEY_SHAPES:
            assert not shape.search(text), f"{path} holds a key-shaped literal"
