"""Starting and stopping: fast, clean, repeatable, and nothing key-shaped in our sources."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from launchready.demo import DemoStore, cftoken
from launchready.demo.cftoken import TOKEN_FILE, TOKEN_VARIABLE
from launchready.errors import ManifestError, ToolError
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
    manifest = load_manifest(store.manifest_path, environ=store.environ)
    assert manifest.site.domain == store.domain
    store.stop()
    store.stop()  # idempotent
    assert set(threading.enumerate()) == before
    tcp_ports = (ports.https, ports.http, ports.dns, ports.cloudflare)
    for port in (*tcp_ports, staging.staging, staging.smtp, staging.llm):
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
def test_manifest_needs_only_the_cloudflare_token_variable(tmp_path: Path, fixed: bool) -> None:
    with DemoStore(tmp_path, fixed=fixed) as store:
        text = store.manifest_path.read_text()
        environ = store.environ
        manifest = load_manifest(store.manifest_path, environ=environ)
        with pytest.raises(ManifestError, match=TOKEN_VARIABLE):
            load_manifest(store.manifest_path, environ={})
    assert list(environ) == [TOKEN_VARIABLE]
    assert re.findall(r"\$\{(\w+)\}", text.split("\nversion:", 1)[1]) == [TOKEN_VARIABLE]
    assert environ[TOKEN_VARIABLE] not in text
    assert manifest.cloudflare is not None
    assert manifest.cloudflare.token == environ[TOKEN_VARIABLE]
    assert manifest.secret_values == {environ[TOKEN_VARIABLE]: TOKEN_VARIABLE}
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


def test_stores_running_together_share_one_token_in_the_environment(tmp_path: Path) -> None:
    """The token is in this process's environment (``${VAR}`` of the manifest) while a
    store runs, and the demo's folder holds it for another shell, readable by its owner."""
    with DemoStore(tmp_path / "a") as one, DemoStore(tmp_path / "b", fixed=True) as two:
        token = one.environ[TOKEN_VARIABLE]
        assert re.fullmatch(r"[\w-]{40}", token)
        assert two.environ == one.environ and os.environ[TOKEN_VARIABLE] == token
        token_file = one.workdir / TOKEN_FILE
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert f"{TOKEN_VARIABLE}={token}\n" in token_file.read_text()
    assert one.environ == {} and two.environ == {}


def test_the_token_is_fresh_per_run_and_the_environment_is_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alone in the process (this test's own count of running stores), the first store puts
    a fresh token in the environment over whatever was there, and the last one to stop puts
    the old value back."""
    for name, value in (("_holders", 0), ("_previous", None), ("_token", None)):
        monkeypatch.setattr(cftoken, name, value)
    monkeypatch.setenv(TOKEN_VARIABLE, "the user's own value")
    first = cftoken.claim_token()
    assert first != "the user's own value" and os.environ[TOKEN_VARIABLE] == first
    monkeypatch.setenv(TOKEN_VARIABLE, "changed behind our back")
    assert cftoken.claim_token() == first and os.environ[TOKEN_VARIABLE] == first
    cftoken.release_token()
    assert os.environ[TOKEN_VARIABLE] == first
    cftoken.release_token()
    assert os.environ[TOKEN_VARIABLE] == "the user's own value"
    cftoken.release_token()  # one release too many changes nothing
    monkeypatch.delenv(TOKEN_VARIABLE)
    second = cftoken.claim_token()
    assert second != first
    cftoken.release_token()
    assert TOKEN_VARIABLE not in os.environ
