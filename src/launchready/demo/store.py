"""The running demo store: prepares its files, then serves everything from one thread.

All servers (HTTPS, plain HTTP, DNS over UDP and TCP, the fake Cloudflare API, and the
staging side: the staging store, its SMTP provider and LLM service) share one asyncio loop
in one background thread, so the caller (the CLI, a test) keeps its own loop free to run
the audit against them, and stopping means one event and one join. Sockets are bound on
free loopback ports before the thread starts (:mod:`.listeners`), so the ports are known
and any failure to bind surfaces in :meth:`DemoStore.start`, not later in the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import dns.zone
from aiohttp import web

from launchready.demo.accesslog import CombinedAccessLogger, close_access_log, open_access_log
from launchready.demo.build import write_build_env
from launchready.demo.certs import DemoCertificates, lifetimes
from launchready.demo.cfapi import FakeCloudflare, cloudflare_api_app
from launchready.demo.cftoken import TOKEN_VARIABLE, claim_token, release_token, write_token_file
from launchready.demo.cfzone import demo_api
from launchready.demo.credentials import Credentials
from launchready.demo.dns_server import Authority, DnsServer
from launchready.demo.envfiles import write_env_files
from launchready.demo.history import write_history
from launchready.demo.listeners import Listeners, bind_listeners
from launchready.demo.mail import SAMPLE_MESSAGE, DemoMailKeys, write_sample_message
from launchready.demo.manifest import (
    ACCESS_LOG,
    APP_LOG,
    CA_FILE,
    ENVS_DIR,
    REPO_DIR,
    SHOP_DB,
    Ports,
    write_manifest,
)
from launchready.demo.releases import RELEASES_DIR, write_releases
from launchready.demo.repo import create_repo
from launchready.demo.settings import DOMAIN, DemoSettings
from launchready.demo.shop import http_app, https_app
from launchready.demo.shopdb import create_shop_db
from launchready.demo.stagingsite import StagingPorts, StagingSite
from launchready.demo.zones import build_zones
from launchready.errors import ToolError

log = logging.getLogger("launchready.demo")

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
SHUTDOWN_GRACE_S = 1.0
"""How long a stop waits for requests in flight (a slow checkout) before closing them."""


class DemoStore:
    """The demo candle shop on loopback: ``with DemoStore(tmp) as store: ...``."""

    def __init__(self, workdir: Path, *, fixed: bool = False) -> None:
        self.workdir = Path(workdir)
        self.fixed = fixed
        self.domain = DOMAIN
        self.manifest_path = self.workdir / "launchready.yaml"
        self.settings: DemoSettings | None = None
        """This run's names and generated credentials, once started."""
        self.ports: Ports | None = None
        self.staging_ports: StagingPorts | None = None
        """The staging store and its dependencies (``deploy.drill``, ``dependencies``)."""
        self.staging: StagingSite | None = None
        """The staging servers while running (its ``mail_server`` holds what it received)."""
        self.cloudflare: FakeCloudflare | None = None
        """The fake Cloudflare API's zone and token, and the requests it saw."""
        self.startup_seconds: float | None = None
        self._token: str | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._stopping = threading.Event()
        """Set by stop(); read by the thread in case it had no loop event to signal yet."""
        self._error: BaseException | None = None
        self._access_log: logging.Logger | None = None

    def __enter__(self) -> DemoStore:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def environ(self) -> dict[str, str]:
        """The variables the manifest's ``${VAR}`` references need (the Cloudflare API
        token), while the store runs: ``load_manifest(path, environ=store.environ)``."""
        return {TOKEN_VARIABLE: self._token} if self._token is not None else {}

    @property
    def ca_path(self) -> Path:
        """The demo CA certificate (PEM), to trust the demo's HTTPS hosts elsewhere."""
        return self.workdir / CA_FILE

    @property
    def sample_message_path(self) -> Path:
        """The order confirmation to try ``launchready email verify-message`` on."""
        return self.workdir / SAMPLE_MESSAGE

    @property
    def repo_path(self) -> Path:
        return self.workdir / REPO_DIR

    @property
    def releases_path(self) -> Path:
        """The staging store's releases and its ``current`` symlink."""
        return self.workdir / RELEASES_DIR

    def start(self) -> None:
        """Build the files, start every server, and return once all of them listen."""
        if self._thread is not None:
            raise ToolError("this demo store is already running")
        started = time.perf_counter()
        repo = self.repo_path
        if repo.exists():
            raise ToolError(f"{self.workdir} already holds a demo store; use an empty folder")
        self.workdir.mkdir(parents=True, exist_ok=True)
        settings = DemoSettings(fixed=self.fixed, credentials=Credentials.generate())
        keys = DemoMailKeys.generate(self.fixed)
        zones = build_zones(settings, keys)
        expiring = None if self.fixed else settings.chat
        certs = DemoCertificates(lifetimes(settings.https_hosts, expiring=expiring), settings.www)
        certs.write_ca(self.ca_path)
        create_repo(repo, settings)
        write_env_files(settings, self.workdir / ENVS_DIR)
        write_build_env(settings, self.workdir)
        write_releases(self.workdir)
        write_sample_message(self.workdir, settings, keys)
        write_history(
            self.workdir / ACCESS_LOG,
            self.workdir / APP_LOG,
            fixed=self.fixed,
            now=datetime.now(UTC),
        )
        create_shop_db(self.workdir / SHOP_DB, fixed=self.fixed)
        access_log = open_access_log(self.workdir / ACCESS_LOG)
        try:
            listeners = bind_listeners()
        except ToolError:
            close_access_log(access_log)
            raise
        ports = Ports(
            https=listeners.https.getsockname()[1],
            http=listeners.http.getsockname()[1],
            dns=listeners.dns_udp.getsockname()[1],
            cloudflare=listeners.cloudflare.getsockname()[1],
        )
        self._access_log = access_log
        self._token = claim_token()
        self.cloudflare = demo_api(settings, zones[0], self._token)
        self.staging = StagingSite(settings, self.releases_path, listeners.staging)
        self._ready.clear()
        self._stopping.clear()
        self._error = None
        self._thread = threading.Thread(
            target=self._run,
            args=(settings, zones, certs.server_context(), listeners, access_log, self.cloudflare),
            name=f"launchready-demo-{ports.https}",
            daemon=True,
        )
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self._error is not None:
            error = self._error
            self.stop()
            raise ToolError(f"the demo store failed to start: {error or 'timed out'}") from error
        self.settings = settings
        self.ports = ports
        self.staging_ports = listeners.staging.ports
        write_token_file(self.workdir, self._token)
        write_manifest(self.manifest_path, settings, self.ports, self.staging_ports)
        self.startup_seconds = time.perf_counter() - started

    def watch_access_log(self, handler: logging.Handler) -> None:
        """Also send every access-log line to ``handler`` (called on the server thread,
        after the response has left): lets a caller await a request's line being written."""
        if self._access_log is None:
            raise ToolError("the demo store is not running")
        self._access_log.addHandler(handler)

    def stop(self) -> None:
        """Stop every server and join the thread; safe to call twice or before start."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        loop, event = self._loop, self._stop_event
        if loop is not None and event is not None and not loop.is_closed():
            # The loop may close between the check and the call: then it has stopped anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            raise ToolError("the demo store did not stop in time")
        self._thread = None
        self._loop = None
        self._stop_event = None
        self.staging = None
        if self._token is not None:
            self._token = None
            release_token()
        if self._access_log is not None:
            close_access_log(self._access_log)
            self._access_log = None

    def _run(
        self,
        settings: DemoSettings,
        zones: list[dns.zone.Zone],
        tls: ssl.SSLContext,
        listeners: Listeners,
        access_log: logging.Logger,
        cloudflare: FakeCloudflare,
    ) -> None:
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(_quiet_exceptions)
        self._loop = loop
        try:
            loop.run_until_complete(
                self._serve(settings, zones, tls, listeners, access_log, cloudflare)
            )
        except BaseException as exc:  # reported to start(); the thread must end cleanly
            self._error = exc
        finally:
            self._ready.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()

    async def _serve(
        self,
        settings: DemoSettings,
        zones: list[dns.zone.Zone],
        tls: ssl.SSLContext,
        listeners: Listeners,
        access_log: logging.Logger,
        cloudflare: FakeCloudflare,
    ) -> None:
        self._stop_event = asyncio.Event()
        runners: list[web.AppRunner] = []
        dns_server = DnsServer(Authority(zones), listeners.dns_udp, listeners.dns_tcp)
        try:
            for app, sock, context in (
                (https_app(settings), listeners.https, tls),
                (http_app(settings), listeners.http, None),
            ):
                runner = web.AppRunner(
                    app,
                    handle_signals=False,
                    access_log_class=CombinedAccessLogger,
                    access_log=access_log,
                    shutdown_timeout=SHUTDOWN_GRACE_S,
                )
                runners.append(runner)
                await runner.setup()
                await web.SockSite(runner, sock, ssl_context=context).start()
            # The API is Cloudflare's, not the store's: its requests stay out of the access log.
            api = web.AppRunner(
                cloudflare_api_app(cloudflare),
                handle_signals=False,
                access_log=None,
                shutdown_timeout=SHUTDOWN_GRACE_S,
            )
            runners.append(api)
            await api.setup()
            await web.SockSite(api, listeners.cloudflare).start()
            await dns_server.start()
            assert self.staging is not None
            await self.staging.start()
            self._ready.set()
            if not self._stopping.is_set():
                await self._stop_event.wait()
        finally:
            if self.staging is not None:
                await self.staging.close()
            await dns_server.close()
            for runner in reversed(runners):
                await runner.cleanup()
            listeners.close()


def _quiet_exceptions(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    """Failed handshakes and dropped connections are normal for a server under audit."""
    exc = context.get("exception")
    if isinstance(exc, ssl.SSLError | ConnectionError | TimeoutError):
        log.debug("demo store: %s", context.get("message"))
        return
    log.warning("demo store: %s (%r)", context.get("message"), exc)
