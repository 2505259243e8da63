"""The browser driver in real headless Chromium against real servers on loopback.

The demo store's widget must answer through the page; small pages served from here break
the widget in the ways stores do (a script that throws, a missing input, an empty reply)
and each must fail at the right step with a screenshot. Chromium runs with the driver's own
flags (no background networking) and ``--host-resolver-rules`` built from the manifest, so
every connection it makes goes to these loopback servers.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from launchready.chat.browser import (
    CHROMIUM_ARGS,
    CHROMIUM_CANDIDATES,
    BrowserUnavailable,
    browser_chat,
    chromium_args,
    find_chromium,
    host_resolver_rules,
)
from launchready.demo.settings import ORIGIN_IP
from launchready.manifest import Network, load_manifest
from launchready.manifest.models import ChatBrowser
from launchready.net.dns import Resolver

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
QUICK_S = 1.5
"""The timeout of the tests that are meant to fail: long enough for a local page."""
DEMO_S = 10.0


def require_browser() -> None:
    """Skip without Playwright or Chromium on a developer's machine; CI installs both."""
    missing = []
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install 'launchready[browser]')")
    if find_chromium() is None:
        missing.append("Chromium (apt-get install chromium)")
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"scripts/test installs these, yet they are missing: {', '.join(missing)}")
    pytest.skip(f"not installed: {', '.join(missing)}")


# --- host_resolver_rules, chromium_args, find_chromium (pure) ---------------------------


def test_rules_map_every_resolve_entry_with_its_port() -> None:
    network = Network(
        resolve={"www.shop.test:443": "127.0.0.1:8443", "WWW.shop.test:80": "127.0.0.1:8080"}
    )
    assert host_resolver_rules(network) == (
        "MAP www.shop.test:443 127.0.0.1:8443, MAP www.shop.test:80 127.0.0.1:8080, "
        "EXCLUDE localhost"
    )


def test_rules_without_resolve_only_exclude_localhost() -> None:
    assert host_resolver_rules(Network()) == "EXCLUDE localhost"


def test_extra_rules_follow_and_never_override_the_manifest() -> None:
    network = Network(resolve={"www.shop.test:443": "127.0.0.1:8443"})
    rules = host_resolver_rules(
        network, {"www.shop.test:443": "127.0.0.9:1", "chat.shop.test": "127.0.0.10"}
    )
    assert rules == (
        "MAP www.shop.test:443 127.0.0.1:8443, MAP chat.shop.test 127.0.0.10, EXCLUDE localhost"
    )


@pytest.mark.parametrize(
    ("target", "rule"),
    [
        ("::1:8443", "MAP www.shop.test:443 [::1]:8443"),
        ("[::1]:8443", "MAP www.shop.test:443 [::1]:8443"),
        ("127.0.0.1:8443", "MAP www.shop.test:443 127.0.0.1:8443"),
        ("origin.internal:8443", "MAP www.shop.test:443 origin.internal:8443"),
    ],
)
def test_ipv6_targets_are_bracketed(target: str, rule: str) -> None:
    network = Network(resolve={"www.shop.test:443": target})
    assert host_resolver_rules(network).split(", ")[0] == rule


def test_chromium_args_keep_the_browser_quiet_and_mapped() -> None:
    args = chromium_args("MAP a.test:443 127.0.0.1:1, EXCLUDE localhost")
    for flag in (
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ):
        assert flag in args
    rules = args[-1].removeprefix("--host-resolver-rules=").split(", ")
    assert rules[:2] == ["MAP a.test:443 127.0.0.1:1", "EXCLUDE localhost"]
    # Chromium's own lookups (sign-in, updates) end inside the browser, not at a DNS server.
    for host in ("accounts.google.com", "update.googleapis.com", "content-autofill.googleapis.com"):
        assert f"MAP {host} ~NOTFOUND" in rules
    assert set(CHROMIUM_ARGS) <= set(args)


@pytest.fixture
def fake_chromium(tmp_path: Path) -> Path:
    binary = tmp_path / "my-chromium"
    binary.write_text("#!/bin/sh\n", encoding="utf-8")
    binary.chmod(0o755)
    return binary


def test_find_chromium_prefers_the_explicit_path(
    fake_chromium: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAUNCHREADY_CHROMIUM", str(tmp_path / "elsewhere"))
    assert find_chromium(str(fake_chromium)) == fake_chromium


def test_find_chromium_reads_the_environment(
    fake_chromium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAUNCHREADY_CHROMIUM", str(fake_chromium))
    assert find_chromium() == fake_chromium


def test_find_chromium_never_swaps_a_named_browser_for_another(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAUNCHREADY_CHROMIUM", str(tmp_path / "missing"))
    assert find_chromium() is None
    assert find_chromium(str(tmp_path / "missing-too")) is None


def test_find_chromium_falls_back_to_the_debian_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAUNCHREADY_CHROMIUM", raising=False)
    found = find_chromium()
    installed = [Path(c) for c in CHROMIUM_CANDIDATES if os.access(c, os.X_OK)]
    assert found == (installed[0] if installed else None)


async def test_a_missing_chromium_says_what_to_install(tmp_path: Path) -> None:
    widget = ChatBrowser(page="http://127.0.0.1:9/", input="#chat-input", reply=".bot")
    with pytest.raises(BrowserUnavailable, match="apt-get install chromium"):
        await browser_chat(
            widget,
            None,
            message="hi",
            timeout=QUICK_S,
            screenshot=tmp_path / "shot.png",
            chromium=str(tmp_path / "no-such-chromium"),
        )
    assert not (tmp_path / "shot.png").exists()


async def test_a_missing_playwright_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.async_api", None)
    widget = ChatBrowser(page="http://127.0.0.1:9/", input="#chat-input", reply=".bot")
    with pytest.raises(BrowserUnavailable, match=r"pip install 'launchready\[browser\]'"):
        await browser_chat(
            widget, None, message="hi", timeout=QUICK_S, screenshot=tmp_path / "shot.png"
        )


# --- the demo store's widget -------------------------------------------------------------


@pytest.fixture(params=["flawed", "fixed"])
def demo(request: pytest.FixtureRequest) -> Path:
    """The session's running demo store of each variant (tests/conftest.py)."""
    path: Path = request.getfixturevalue(request.param)
    return path


async def test_the_demo_widget_answers_through_the_page(demo: Path, tmp_path: Path) -> None:
    require_browser()
    manifest = load_manifest(demo)
    assert manifest.chatbot is not None
    assert manifest.chatbot.browser is not None
    assert manifest.network.ca_bundle is not None
    shot = tmp_path / "shots" / "demo.png"
    result = await browser_chat(
        manifest.chatbot.browser,
        manifest.network,
        message="Which candle would you recommend as a gift?",
        timeout=DEMO_S,
        screenshot=shot,
        ca_bundle=manifest.resolve_path(manifest.network.ca_bundle),
    )
    assert result.ok, result
    assert result.step is None
    assert result.error is None
    assert result.reply
    assert "unavailable" not in result.reply  # the widget's own text when the API call fails
    assert result.elapsed_ms is not None
    assert 0 < result.elapsed_ms < DEMO_S * 1000
    assert result.screenshot is None
    assert not shot.exists()
    assert not shot.parent.exists()


# --- small pages of our own, broken in the ways widgets break ---------------------------

WIDGET = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>Candles</h1>
<button id="chat-launcher" type="button">Chat</button>
<section id="chat-panel" hidden><div id="chat-log">%(log)s</div>
%(input)s</section>
<script>
document.getElementById("chat-launcher").addEventListener("click", function () {
  document.getElementById("chat-panel").hidden = false;
});
%(script)s
</script></body></html>"""
INPUT = '<input id="chat-input" type="text">'


def widget(script: str, *, log: str = "", with_input: bool = True) -> str:
    return WIDGET % {"log": log, "input": INPUT if with_input else "", "script": script}


def on_enter(body: str) -> str:
    return (
        'document.getElementById("chat-input").addEventListener("keydown", function (e) {\n'
        '  if (e.key !== "Enter") { return; }\n'
        f"  {body}\n"
        "});\n"
    )


def add_bot(text: str) -> str:
    return (
        'var item = document.createElement("div"); item.className = "chat-message bot";'
        f' item.textContent = {text}; document.getElementById("chat-log").appendChild(item);'
    )


ECHO = add_bot('m + " back"')
PAGES = {
    # The greeting already on the page must not count as the reply.
    "/slow": widget(
        on_enter("var m = this.value; setTimeout(function () { " + ECHO + " }, 300);"),
        log='<div class="chat-message bot">Hi! How can I help?</div>',
    ),
    "/throws": widget(on_enter('throw new Error("chat backend exploded");')),
    "/empty": widget(on_enter(add_bot('""'))),
    "/no-input": widget("", with_input=False),
    "/no-launcher": "<!doctype html><html><body><p>No chat here.</p></body></html>",
    "/noisy": widget(
        'for (var i = 0; i < 25; i++) { console.error("noise " + i + " " + "x".repeat(1000)); }'
    ),
    "/hang": widget(on_enter('fetch("/api/hang", { method: "POST" });')),
}
LAUNCHER = ChatBrowser.model_validate(
    {
        "page": "http://shop.test/",
        "open": "#chat-launcher",
        "input": "#chat-input",
        "reply": ".chat-message.bot",
    }
)


@dataclass
class Site:
    """Our pages on loopback, and how Chromium reaches them by name."""

    port: int
    host: str
    hang_started: asyncio.Event

    def url(self, path: str) -> str:
        return f"http://shop.test{path}"

    @property
    def network(self) -> Network:
        return Network(resolve={"shop.test:80": f"{self.host}:{self.port}"})

    def widget(self, path: str, **changes: str | None) -> ChatBrowser:
        return LAUNCHER.model_copy(update={"page": self.url(path), **changes})


async def _serve(host: str) -> AsyncIterator[Site]:
    hang_started = asyncio.Event()
    never = asyncio.Event()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGES[request.path], content_type="text/html")

    async def hang(request: web.Request) -> web.Response:
        hang_started.set()
        await never.wait()
        return web.Response(status=204)

    async def favicon(request: web.Request) -> web.Response:
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_post("/api/hang", hang)
    for path in PAGES:
        app.router.add_get(path, page)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Site(port, host, hang_started)
    finally:
        never.set()
        await runner.cleanup()


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    require_browser()
    async for served in _serve("127.0.0.1"):
        yield served


def _png(path: Path | None) -> bytes:
    assert path is not None
    assert path.is_file()
    return path.read_bytes()[:8]


async def test_only_a_new_reply_counts_and_is_timed_from_enter(site: Site, tmp_path: Path) -> None:
    result = await browser_chat(
        site.widget("/slow"),
        site.network,
        message="Do you ship to Canada?",
        timeout=5.0,
        screenshot=tmp_path / "shot.png",
    )
    assert result.ok, result
    assert result.reply == "Do you ship to Canada? back"
    assert result.elapsed_ms is not None
    assert 300 <= result.elapsed_ms < 5000
    assert result.console_errors == ()
    assert not (tmp_path / "shot.png").exists()


async def test_a_throwing_widget_fails_at_reply_with_a_screenshot(
    site: Site, tmp_path: Path
) -> None:
    shot = tmp_path / "deep" / "er" / "throws.png"
    result = await browser_chat(
        site.widget("/throws"),
        site.network,
        message="hello",
        timeout=QUICK_S,
        screenshot=shot,
    )
    assert not result.ok
    assert result.step == "reply"
    assert result.error == f"no new '.chat-message.bot' within {QUICK_S:g}s"
    assert result.reply is None
    assert result.elapsed_ms is None
    assert result.screenshot == shot
    assert _png(result.screenshot) == PNG_MAGIC
    assert any("chat backend exploded" in line for line in result.console_errors)


@pytest.mark.parametrize(
    ("path", "launcher", "step", "error", "screenshot"),
    [
        ("/empty", "#chat-launcher", "reply", "appeared but stayed empty", True),
        (
            "/no-input",
            "#chat-launcher",
            "input",
            f"#chat-input not found within {QUICK_S:g}s",
            True,
        ),
        ("/slow", None, "input", f"#chat-input not visible within {QUICK_S:g}s", False),
        (
            "/no-launcher",
            "#chat-launcher",
            "open",
            f"#chat-launcher not found within {QUICK_S:g}s",
            True,
        ),
        ("/gone", "#chat-launcher", "load", "the page did not load: HTTP 404", True),
    ],
)
async def test_each_broken_step_fails_where_it_breaks(
    site: Site,
    tmp_path: Path,
    path: str,
    launcher: str | None,
    step: str,
    error: str,
    screenshot: bool,
) -> None:
    widget = site.widget(path) if launcher else site.widget(path, open=None)
    result = await browser_chat(
        widget, site.network, message="hi", timeout=QUICK_S, screenshot=tmp_path / "s.png"
    )
    assert not result.ok
    assert result.step == step
    assert result.error is not None
    assert error in result.error
    if screenshot:
        assert _png(result.screenshot) == PNG_MAGIC


async def test_a_refused_connection_fails_at_load(site: Site, tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    network = Network(resolve={"shop.test:80": f"127.0.0.1:{closed_port}"})
    result = await browser_chat(
        site.widget("/slow"), network, message="hi", timeout=QUICK_S, screenshot=tmp_path / "s.png"
    )
    assert not result.ok
    assert result.step == "load"
    assert result.error is not None
    assert result.error.startswith("the page did not load: net::ERR_CONNECTION_REFUSED")


async def test_console_errors_are_bounded(site: Site, tmp_path: Path) -> None:
    result = await browser_chat(
        site.widget("/noisy"),
        site.network,
        message="hi",
        timeout=QUICK_S,
        screenshot=tmp_path / "s.png",
    )
    assert not result.ok
    assert len(result.console_errors) == 10
    assert result.console_errors[0].startswith("noise 0 xxx")
    assert all(len(line) <= 300 for line in result.console_errors)


async def test_cancelling_closes_the_browser(site: Site, tmp_path: Path) -> None:
    before = _chromium_descendants()
    task = asyncio.ensure_future(
        browser_chat(
            site.widget("/hang"),
            site.network,
            message="hi",
            timeout=30.0,
            screenshot=tmp_path / "s.png",
        )
    )
    await asyncio.wait_for(site.hang_started.wait(), 20)
    assert _chromium_descendants() - before
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _chromium_descendants() - before == set()
    assert not (tmp_path / "s.png").exists()


def _chromium_descendants() -> set[int]:
    """Live Chromium processes started (through Playwright's driver) by this test process."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":
            continue
        parents[int(entry.name)] = int(fields[1])
        names[int(entry.name)] = name
    me = os.getpid()
    found = set()
    for pid, name in names.items():
        if "chrom" not in name:
            continue
        ancestor = parents.get(pid, 0)
        while ancestor > 1 and ancestor != me:
            ancestor = parents.get(ancestor, 0)
        if ancestor == me:
            found.add(pid)
    return found


# --- a page host known only to the manifest's nameservers --------------------------------


@pytest.fixture
async def origin_site() -> AsyncIterator[Site]:
    """Our pages on the demo zone's origin address (a loopback address)."""
    require_browser()
    async for served in _serve(ORIGIN_IP):
        yield served


async def test_the_page_host_is_resolved_through_the_manifest_nameservers(
    fixed: Path, origin_site: Site, tmp_path: Path
) -> None:
    demo_network = load_manifest(fixed).network
    network = Network(nameservers=demo_network.nameservers)
    widget = origin_site.widget("/slow").model_copy(
        update={"page": f"http://api.demo-candles.test:{origin_site.port}/slow"}
    )
    result = await browser_chat(
        widget,
        network,
        message="hi",
        timeout=5.0,
        screenshot=tmp_path / "s.png",
        resolver=Resolver(network, timeout=2.0),
    )
    assert result.ok, result
    assert result.reply == "hi back"
