"""The web area against a real nginx: each ID fires on its flaw and stays silent on the twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from launchready.checks import web
from launchready.checks.web.html import subresources
from launchready.checks.web.leaks import scan
from launchready.findings import Finding, Severity
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.weblab.nginx import LabCA, NginxServer, free_port, require_nginx

HOST = "www.shop.test"
API = "api.shop.test"
SAFE = (
    "add_header X-Content-Type-Options nosniff always; add_header X-Frame-Options DENY always; "
    "add_header Referrer-Policy strict-origin always; "
    "add_header Content-Security-Policy \"default-src 'self'\" always;"
)
PAGE = "<html><body><h1>Shop</h1>{extra}</body></html>"
MANIFEST = """\
version: 1
site: {{domain: shop.test, canonical: "https://{host}/", cdn: none}}
routes:
  - {{name: home, url: "https://{host}/"}}
  - {{name: hook, url: "https://{api}/webhooks/stripe", method: POST, webhook: true,
      headers: {{Stripe-Signature: "t=1,v1=abc"}}}}
network:
  resolve: {{"{host}:443": "127.0.0.1:{port}", "{api}:443": "127.0.0.1:{port}"}}
  ca_bundle: {ca}
"""


@asynccontextmanager
async def lab(tmp_path: Path, www: str, api: str, http_extra: str = "") -> AsyncIterator[Path]:
    """nginx serving ``www`` (the storefront's location blocks) and ``api``; yields the
    manifest path."""
    require_nginx()
    ca = LabCA(tmp_path / "ca")
    cert = ca.leaf(HOST, API)
    port = free_port()
    tls = f"listen 127.0.0.1:{port} ssl; ssl_certificate {cert.cert}; "
    tls += f"ssl_certificate_key {cert.key};"
    servers = f"""
        server {{ {tls} server_name {HOST}; {www} }}
        server {{ {tls} server_name {API}; {api} }}
    """
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(MANIFEST.format(host=HOST, api=API, port=port, ca=ca.bundle))
    with NginxServer(tmp_path / "nginx", servers, "server_tokens off;\n" + http_extra):
        yield manifest


async def audit(manifest: Path) -> list[Finding]:
    loaded = load_manifest(manifest)
    async with check_context(loaded) as ctx:
        return await web.run(ctx)


def ids(findings: list[Finding]) -> set[str]:
    return {f.id for f in findings}


def home(headers: str, body: str = PAGE.format(extra=""), status: int = 200) -> str:
    quoted = body.replace("'", "\\'")
    return f"location / {{ default_type text/html; {headers} return {status} '{quoted}'; }}"


REJECT = 'location / { default_type application/json; return 400 \'{"error": "bad"}\'; }'
CLEAN_HOME = home(SAFE)


async def test_a_hardened_store_is_clean(tmp_path: Path) -> None:
    async with lab(tmp_path, CLEAN_HOME, REJECT) as manifest:
        assert await audit(manifest) == []


def _page(extra: str) -> str:
    return home(SAFE, PAGE.format(extra=extra))


def _without(header: str) -> str:
    return home(SAFE.replace(f"add_header {header} always;", ""))


COOKIE = " add_header Set-Cookie"
NO_CSP = SAFE.split("add_header Content-Security-Policy")[0]


@pytest.mark.parametrize(
    ("www", "expected"),
    [
        (_page('<img src="http://cdn.shop.test/a.png">'), "web.mixed-content"),
        (_page("<style>b{background:url(http://x.test/b.png)}</style>"), "web.mixed-content"),
        (_page('<form action="http://www.shop.test/pay"></form>'), "web.mixed-content"),
        (_without("X-Frame-Options DENY"), "web.headers-missing"),
        (_without("Referrer-Policy strict-origin"), "web.headers-missing"),
        (home(NO_CSP + "add_header X-Frame-Options DENY;"), "web.csp-missing"),
        (home(SAFE + COOKIE + ' "sid=1; Path=/; HttpOnly; SameSite=Lax";'), "web.cookie-insecure"),
        (home(SAFE + COOKIE + ' "app_session=1; Path=/; Secure";'), "web.cookie-insecure"),
        (home(SAFE + " add_header X-Powered-By PHP/8.1.2;"), "web.version-disclosure"),
    ],
)
async def test_each_flaw_fires_alone(tmp_path: Path, www: str, expected: str) -> None:
    async with lab(tmp_path, www, REJECT) as manifest:
        assert ids(await audit(manifest)) == {expected}


async def test_plain_links_and_secure_cookies_are_fine(tmp_path: Path) -> None:
    extra = (
        '<a href="http://old.shop.test/">old</a><img src="//www.shop.test/a.png">'
        '<img srcset="/a.png 1x, https://www.shop.test/b.png 2x">'
    )
    cookies = ' add_header Set-Cookie "session=1; Path=/; Secure; HttpOnly; SameSite=Lax";'
    cookies += ' add_header Set-Cookie "theme=dark; Path=/; Secure";'
    async with lab(tmp_path, home(SAFE + cookies, PAGE.format(extra=extra)), REJECT) as m:
        assert await audit(m) == []


async def test_server_version_from_nginx_itself(tmp_path: Path) -> None:
    async with lab(tmp_path, CLEAN_HOME + " server_tokens on;", REJECT) as manifest:
        found = await audit(manifest)
    assert ids(found) == {"web.version-disclosure"}
    headers = found[0].evidence["headers"]
    assert isinstance(headers, dict)
    assert str(headers["Server"]).startswith("nginx/")


TRACEBACK = (
    "Traceback (most recent call last):\\n"
    '  File \\"/app/shop/views.py\\", line 42, in webhook\\n'
    "KeyError: stripe-signature"
)


@pytest.mark.parametrize(
    ("status", "severity"), [(200, Severity.BLOCKER), (500, Severity.HIGH), (401, None)]
)
async def test_unsigned_webhook(tmp_path: Path, status: int, severity: Severity | None) -> None:
    api = f"location / {{ return {status} 'no'; }}"
    async with lab(tmp_path, CLEAN_HOME, api) as manifest:
        found = [f for f in await audit(manifest) if f.id == "web.webhook-unsigned-accepted"]
    assert [f.severity for f in found] == ([severity] if severity else [])


async def test_a_traceback_on_a_malformed_request_is_a_leak(tmp_path: Path) -> None:
    # Only the malformed request (JSON content type, broken body) trips the handler.
    api = (
        "location / { if ($http_content_type = application/json) "
        f"{{ return 500 \"{TRACEBACK}\"; }} return 400 'bad'; }}"
    )
    async with lab(tmp_path, CLEAN_HOME, api) as manifest:
        found = await audit(manifest)
    assert ids(found) == {"web.error-leak"}
    evidence = found[0].evidence
    assert evidence["kinds"] == ["stack-trace"]
    assert "(malformed) -> 500" in str(evidence["requests"])


async def test_a_bogus_query_that_reveals_sql_is_a_leak(tmp_path: Path) -> None:
    www = (
        'location / { default_type text/html; if ($args ~ "id=\'") '
        "{ return 500 'ERROR:  syntax error at or near \"x\" (psycopg2.errors.SyntaxError)'; } "
        f"{SAFE} return 200 '<html></html>'; }}"
    )
    async with lab(tmp_path, www, REJECT) as manifest:
        found = await audit(manifest)
    assert ids(found) == {"web.error-leak"}
    assert found[0].evidence["kinds"] == ["sql-error"]


def test_secrets_are_masked_in_the_excerpt() -> None:
    key = "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2"
    leaks = scan(f"<pre>Error: config {{stripe: '{key}'}}\n    at main (/app/x.js:1:2)</pre>")
    assert {leak.pattern for leak in leaks} >= {"stripe-secret-key", "node-stack"}
    assert all(key not in leak.excerpt for leak in leaks)


@pytest.mark.parametrize(
    "text",
    [
        "<h1>Whoops! There was an error.</h1>",
        "You're seeing this error because you have <code>DEBUG = True</code> in your settings",
        "ActionController::RoutingError (No route matches [GET])",
        "org.hibernate.Foo\n\tat com.shop.Cart.add(Cart.java:42)",
        "SQLSTATE[42000]: Syntax error",
        "ORA-00933: SQL command not properly ended",
        "sqlite3.OperationalError: no such table: orders",
        "app/models/order.rb:12:in `total'",
        "<b>Fatal error</b>: Uncaught Exception in <b>/var/www/index.php</b> on line <b>3</b>",
    ],
)
def test_leak_patterns(text: str) -> None:
    assert scan(text)


def test_ordinary_pages_do_not_leak() -> None:
    assert scan("<html><p>Order 1001 shipped. Questions? Email support@shop.test</p></html>") == []


async def test_nothing_answers_is_a_check_error(tmp_path: Path) -> None:
    ca = LabCA(tmp_path / "ca")
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(MANIFEST.format(host=HOST, api=API, port=free_port(), ca=ca.bundle))
    from launchready.errors import ConnectivityError

    with pytest.raises(ConnectivityError):
        await asyncio.wait_for(audit(manifest), 20)


def test_subresources_are_what_a_browser_loads_by_itself() -> None:
    page = """<html><head><base href="https://www.shop.test/shop/">
      <link rel="stylesheet" href="http://x.test/a.css"><link rel="icon" href="fav.ico">
      <link rel="preload" as="font" href="/f.woff2"><link rel="canonical" href="http://x.test/">
      </head><body><iframe src="http://pay.test/"></iframe><audio src="http://x.test/a.mp3">
      <source src="/b.ogg"></audio><object data="http://x.test/o.swf"></object>
      <embed src="http://x.test/e"><input type="image" src="http://x.test/go.png">
      <img src="data:image/png;base64,AAAA"><a href="http://x.test/link">link</a>
      <div style="background: url('http://x.test/bg.png')"></div></body></html>"""
    refs = {(r.where, r.url, r.kind) for r in subresources(page, "https://www.shop.test/")}
    assert refs == {
        ("<link rel=stylesheet>", "http://x.test/a.css", "style"),
        ("<link rel=icon>", "https://www.shop.test/shop/fav.ico", "image"),
        ("<link rel=preload>", "https://www.shop.test/f.woff2", "font"),
        ("<iframe src>", "http://pay.test/", "frame"),
        ("<audio src>", "http://x.test/a.mp3", "media"),
        ("<source src>", "https://www.shop.test/b.ogg", "media"),
        ("<object data>", "http://x.test/o.swf", "object"),
        ("<embed src>", "http://x.test/e", "object"),
        ("<input src>", "http://x.test/go.png", "image"),
        ("<div style>", "http://x.test/bg.png", "image"),
    }
