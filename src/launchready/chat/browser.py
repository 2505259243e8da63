"""The chat widget driven through the real page in headless Chromium (``smoke --browser``).

An API-level chat probe proves the bot answers; only a browser proves the *widget* does:
the launcher opens, the input takes a message, the page's script calls the chat host
(CORS, CSP, mixed content and all) and a reply shows up. Playwright drives the system's
Chromium (Debian's package), never a downloaded browser, so nothing is fetched at run time.

Chromium resolves names itself, so ``network.resolve`` is turned into
``--host-resolver-rules``: the browser reaches the same addresses as every other audit area.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from launchready.manifest import Network
from launchready.manifest.models import ChatBrowser
from launchready.net.dns import is_ip_literal

if TYPE_CHECKING:
    from playwright.async_api import Browser, ConsoleMessage, Error, Page, Playwright

    from launchready.net.dns import Resolver

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ENV = "LAUNCHREADY_CHROMIUM"
CHROMIUM_ARGS = (
    "--no-sandbox",  # the audit often runs as root in a container, where the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium phones home (updates, field trials, sync) on start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
CHROMIUM_SERVICE_HOSTS = (
    "accounts.google.com",
    "update.googleapis.com",
    "content-autofill.googleapis.com",
    "clients2.google.com",
    "clientservices.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "safebrowsing.googleapis.com",
)
"""Hosts Chromium 156 still looks up on its own despite every flag above and Playwright's
(sign-in, component updates, autofill hints). They are answered "not found" inside the
browser, so it sends no DNS query or connection anywhere the manifest did not name. The
price: a store page that itself loads one of them (a Sign in with Google button) sees that
request fail, which a chat widget does not depend on."""
INSTALL_PLAYWRIGHT = "pip install 'launchready[browser]'"
INSTALL_CHROMIUM = "apt-get install chromium"
MAX_CONSOLE_ERRORS = 10
MAX_CONSOLE_CHARS = 300
LAUNCH_TIMEOUT_S = 30.0
SCREENSHOT_TIMEOUT_S = 10.0
SETTLE_TIMEOUT_S = 5.0
"""How long to wait for the ``load`` event after the document is ready: a slow tracking
pixel must not fail the chat, but the widget's own async scripts get a chance to arrive."""
POLL_MS = 50
WATCH = "__launchreadyChat"

_INSTALL_WATCH = """(selector) => {
  const state = { start: null, end: null, text: null, grew: false };
  const before = document.querySelectorAll(selector).length;
  state.check = () => {
    if (state.end !== null) { return true; }
    const nodes = document.querySelectorAll(selector);
    if (nodes.length <= before) { return false; }
    state.grew = true;
    const text = (nodes[nodes.length - 1].textContent || "").trim();
    if (!text) { return false; }
    state.end = performance.now();
    state.text = text;
    observer.disconnect();
    return true;
  };
  const observer = new MutationObserver(() => { state.check(); });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && state.start === null) { state.start = performance.now(); }
  }, true);
  window.WATCH_NAME = state;
}""".replace("WATCH_NAME", WATCH)
"""Times the reply inside the page: a capture-phase listener stamps the Enter key before the
widget sees it and a MutationObserver stamps the reply as it is inserted, so the figure
holds no automation round trips or polling delay."""


class BrowserUnavailable(Exception):
    """Playwright or Chromium is missing (or Chromium will not start); the message says
    what to install."""


@dataclass(frozen=True)
class BrowserChatResult:
    """One exchange through the widget; a failure names its step and keeps a screenshot."""

    ok: bool
    reply: str | None
    elapsed_ms: float | None
    """From pressing Enter to the new reply element having text; compared with the budget
    by the caller."""
    error: str | None
    step: str | None
    """``load``, ``open``, ``input`` or ``reply``."""
    screenshot: Path | None
    console_errors: tuple[str, ...] = ()


class _StepFailed(Exception):
    def __init__(self, step: str, error: str) -> None:
        super().__init__(error)
        self.step = step
        self.error = error


def find_chromium(explicit: str | None = None) -> Path | None:
    """The Chromium to drive: ``explicit``, else ``$LAUNCHREADY_CHROMIUM``, else the usual
    Debian paths. A path the user names is the only one tried: silently driving another
    browser than the one asked for would make the result lie about what was tested."""
    named = explicit or os.environ.get(CHROMIUM_ENV)
    for candidate in (named,) if named else CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return Path(found)
    return None


def host_resolver_rules(network: Network, extra: Mapping[str, str] = {}) -> str:
    """``--host-resolver-rules`` that send Chromium where ``network.resolve`` sends curl.

    Keys and values are ``host:port`` (or a bare host, for every port). ``network.resolve``
    comes first: Chromium applies the first rule that matches, and the manifest's exact
    ``host:port`` entries are more specific than the per-host ``extra`` found by DNS.
    ``localhost`` is excluded so nothing remaps the machine itself.
    """
    rules = [f"MAP {key} {_endpoint(value)}" for key, value in network.resolve.items()]
    rules += [
        f"MAP {key.lower()} {_endpoint(value)}"
        for key, value in extra.items()
        if key.lower() not in network.resolve
    ]
    rules.append("EXCLUDE localhost")
    return ", ".join(rules)


def chromium_args(rules: str) -> list[str]:
    """The launch flags: ``rules`` from :func:`host_resolver_rules`, then the browser's own
    service hosts sent nowhere (Chromium applies the first rule that matches)."""
    quiet = ", ".join(f"MAP {host} ~NOTFOUND" for host in CHROMIUM_SERVICE_HOSTS)
    return [*CHROMIUM_ARGS, f"--host-resolver-rules={rules}, {quiet}"]


async def browser_chat(
    browser: ChatBrowser,
    network: Network | None,
    *,
    message: str,
    timeout: float,  # noqa: ASYNC109 - bounds every step, the caller judges the budget
    screenshot: Path,
    ca_bundle: Path | None = None,
    resolver: Resolver | None = None,
    chromium: str | None = None,
) -> BrowserChatResult:
    """Open ``browser.page``, send ``message`` through the widget and wait for a new reply.

    Every wait is bounded by ``timeout`` (seconds); the budget is the caller's to judge.
    When the manifest names a ``ca_bundle`` (``ca_bundle`` here, or ``network.ca_bundle``)
    the store uses a private CA that Chromium cannot load without an NSS database, so
    certificate errors are ignored in this browser; the tls area verifies the certificates
    against that CA on its own. Without a bundle, verification stays on.

    Raises :class:`BrowserUnavailable` when Playwright or Chromium is missing or Chromium
    does not start; every other failure is a result with ``ok=False``.
    """
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright
    except ImportError as exc:
        raise BrowserUnavailable(
            f"the browser check needs Playwright ({exc}): {INSTALL_PLAYWRIGHT}"
        ) from None
    binary = find_chromium(chromium)
    if binary is None:
        named = chromium or os.environ.get(CHROMIUM_ENV)
        where = named or ", ".join(CHROMIUM_CANDIDATES)
        raise BrowserUnavailable(
            f"no Chromium found at {where}: {INSTALL_CHROMIUM}"
            + ("" if named else f", or set {CHROMIUM_ENV} to its path")
        )
    net = network or Network()
    rules = host_resolver_rules(net, await _dns_extra(browser.page, net, resolver))
    insecure = ca_bundle is not None or net.ca_bundle is not None
    console: list[str] = []
    async with async_playwright() as playwright:
        chrome = await _launch(playwright, binary, rules, PlaywrightError)
        try:
            context = await chrome.new_context(ignore_https_errors=insecure)
            context.set_default_timeout(timeout * 1000)
            page = await context.new_page()
            page.on("console", lambda msg: _console(console, msg))
            page.on("pageerror", lambda exc: _page_error(console, exc))
            try:
                reply, elapsed = await _exchange(page, browser, message, timeout)
            except _StepFailed as failed:
                shot = await _screenshot(page, screenshot, PlaywrightError)
                return BrowserChatResult(
                    False, None, None, failed.error, failed.step, shot, tuple(console)
                )
            return BrowserChatResult(True, reply, elapsed, None, None, None, tuple(console))
        finally:
            await chrome.close()


async def _launch(playwright: Playwright, binary: Path, rules: str, error: type[Error]) -> Browser:
    try:
        return await playwright.chromium.launch(
            executable_path=str(binary),
            headless=True,
            args=chromium_args(rules),
            timeout=LAUNCH_TIMEOUT_S * 1000,
        )
    except error as exc:
        raise BrowserUnavailable(
            f"Chromium at {binary} did not start: {_reason(exc)} ({INSTALL_CHROMIUM})"
        ) from None


async def _exchange(
    page: Page, browser: ChatBrowser, message: str, seconds: float
) -> tuple[str, float]:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    within = f"within {seconds:g}s"
    try:
        response = await page.goto(browser.page, wait_until="domcontentloaded")
    except PlaywrightTimeout:
        raise _StepFailed("load", f"the page did not load {within}") from None
    except PlaywrightError as exc:
        raise _StepFailed("load", f"the page did not load: {_reason(exc)}") from None
    if response is not None and response.status >= 400:
        raise _StepFailed("load", f"the page did not load: HTTP {response.status}")
    # A slow subresource is the perf area's finding, not a broken widget.
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_load_state("load", timeout=min(seconds, SETTLE_TIMEOUT_S) * 1000)
    step = "open"
    try:
        if browser.open:
            await _visible(page, browser.open, "open", within)
            try:
                await page.locator(browser.open).first.click()
            except PlaywrightError as exc:
                raise _StepFailed(
                    "open", f"could not click {browser.open} {within}: {_reason(exc)}"
                ) from None
        step = "input"
        await _visible(page, browser.input, "input", within)
        field = page.locator(browser.input).first
        try:
            await field.fill(message)
        except PlaywrightError as exc:
            raise _StepFailed(
                "input", f"could not type into {browser.input} {within}: {_reason(exc)}"
            ) from None
        try:
            await page.evaluate(_INSTALL_WATCH, browser.reply)
        except PlaywrightError as exc:
            raise _StepFailed(
                "reply", f"cannot watch {browser.reply!r} (a CSS selector): {_reason(exc)}"
            ) from None
        sent = await page.evaluate("performance.now()")
        try:
            await field.press("Enter")
        except PlaywrightError as exc:
            raise _StepFailed(
                "input", f"could not press Enter in {browser.input}: {_reason(exc)}"
            ) from None
        step = "reply"
        return await _await_reply(page, browser.reply, float(sent), seconds)
    except PlaywrightError as exc:  # the page crashed or navigated away mid-step
        raise _StepFailed(step, f"the page failed: {_reason(exc)}") from None


async def _visible(page: Page, selector: str, step: str, within: str) -> None:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    target = page.locator(selector)
    try:
        await target.first.wait_for(state="visible")
    except PlaywrightTimeout:
        what = "not visible" if await target.count() else "not found"
        raise _StepFailed(step, f"{selector} {what} {within}") from None
    except PlaywrightError as exc:  # an invalid selector, most often
        raise _StepFailed(step, f"{selector} is not usable: {_reason(exc)}") from None


async def _await_reply(page: Page, reply: str, sent: float, seconds: float) -> tuple[str, float]:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_function(
            f"() => window.{WATCH} !== undefined && window.{WATCH}.check()",
            polling=POLL_MS,
            timeout=seconds * 1000,
        )
    except PlaywrightTimeout:
        grew = await page.evaluate(f"() => window.{WATCH} !== undefined && window.{WATCH}.grew")
        if grew:
            raise _StepFailed(
                "reply", f"a new {reply!r} appeared but stayed empty for {seconds:g}s"
            ) from None
        raise _StepFailed("reply", f"no new {reply!r} within {seconds:g}s") from None
    start, end, text = await page.evaluate(
        f"() => [window.{WATCH}.start, window.{WATCH}.end, window.{WATCH}.text]"
    )
    begun = sent if start is None else float(start)
    return str(text), max(float(end) - begun, 0.0)


async def _dns_extra(url: str, network: Network, resolver: Resolver | None) -> dict[str, str]:
    """A rule for the page's host when only the manifest's nameservers know it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if (
        resolver is None
        or not host
        or host == "localhost"
        or is_ip_literal(host)
        or f"{host}:{port}" in network.resolve
    ):
        return {}
    addresses = await resolver.addresses(host)
    if not addresses:
        return {}  # Chromium's own lookup then fails the load step with a readable reason
    address = addresses[0]
    return {host: f"[{address}]" if ":" in address else address}


async def _screenshot(page: Page, path: Path, error: type[Error]) -> Path | None:
    """A full-page picture of the failure; a page too broken to draw keeps the error alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        await page.screenshot(path=str(path), full_page=True, timeout=SCREENSHOT_TIMEOUT_S * 1000)
    except error:
        return None
    return path


def _console(sink: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        url = message.location.get("url") or ""
        text = message.text
        _keep(sink, f"{text} ({url})" if url and url not in text else text)


def _page_error(sink: list[str], exc: Error) -> None:
    _keep(sink, f"{exc.name or 'Error'}: {exc.message}")


def _keep(sink: list[str], text: str) -> None:
    if len(sink) < MAX_CONSOLE_ERRORS:
        text = " ".join(text.split())
        if len(text) > MAX_CONSOLE_CHARS:
            text = text[: MAX_CONSOLE_CHARS - 1] + "…"
        sink.append(text)


def _reason(exc: Error) -> str:
    """Playwright's first line, without its ``Page.goto:`` prefix or call log."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    head, sep, rest = first.partition(": ")
    return rest if sep and "." in head and " " not in head else first


def _endpoint(value: str) -> str:
    """``::1:8443`` -> ``[::1]:8443``: Chromium reads an IPv6 address only in brackets."""
    if value.startswith("[") or (is_ip_literal(value) and ":" not in value):
        return value
    host, sep, port = value.rpartition(":")
    if sep and port.isdigit() and ":" in host and is_ip_literal(host):
        return f"[{host}]:{port}"
    return value
