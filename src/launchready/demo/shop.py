"""The storefront and the two listeners' applications, dispatched by Host header.

One HTTPS application holds one sub-application per hostname (aiohttp's ``add_domain``),
the way one nginx serves several ``server_name`` blocks. The plain-HTTP application only
redirects, and that redirect map is where the flawed variant's two-hop chain lives.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from launchready.demo import pages
from launchready.demo.accesslog import request_ids
from launchready.demo.api import api_app
from launchready.demo.assets import static_files
from launchready.demo.chatbot import chat_app
from launchready.demo.settings import SMOKE_CUSTOMER, DemoSettings
from launchready.demo.web_policy import STATIC_CACHE, install

SESSION_COOKIE = "session"
MTA_STS_POLICY = "version: STSv1\nmode: enforce\nmx: smtp.google.com\nmax_age: 604800\n"


def https_app(settings: DemoSettings) -> web.Application:
    """Every HTTPS host of the store, selected by the Host header."""
    app = web.Application(middlewares=[request_ids()] if settings.fixed else [])
    install(app, settings)
    app.add_domain(settings.www, storefront_app(settings))
    app.add_domain(settings.api, api_app(settings))
    app.add_domain(settings.chat, chat_app(settings))
    if settings.fixed:
        app.add_domain(settings.apex, _redirect_app(f"https://{settings.www}", 301))
        app.add_domain(settings.staging, _staging_gate())
        app.add_domain(settings.mta_sts, _mta_sts_app())
    else:
        # The apex serves the whole shop too (duplicate content), and so does staging.
        app.add_domain(settings.apex, storefront_app(settings))
        app.add_domain(settings.staging, storefront_app(settings))
    return app


def http_app(settings: DemoSettings) -> web.Application:
    """Port 80: redirects only, one hop when fixed, apex -> http://www -> https when not."""
    app = web.Application(middlewares=[request_ids()] if settings.fixed else [])
    install(app, settings)
    www = f"https://{settings.www}"
    if settings.fixed:
        app.add_domain(settings.apex, _redirect_app(www, 301))
        app.add_domain(settings.www, _redirect_app(www, 301))
        app.add_domain(settings.staging, _staging_gate())
    else:
        app.add_domain(settings.apex, _redirect_app(f"http://{settings.www}", 301))
        app.add_domain(settings.www, _redirect_app(www, 301))
        app.add_domain(settings.staging, _redirect_app(f"https://{settings.staging}", 301))
    for host in (settings.api, settings.chat, settings.mta_sts):
        app.add_domain(host, _redirect_app(f"https://{host}", 301))
    return app


def storefront_app(settings: DemoSettings) -> web.Application:
    app = web.Application()
    shop = Storefront(settings)
    add_storefront_routes(app.router, shop)
    app.router.add_get("/old-shop", shop.old_shop)
    return app


def add_storefront_routes(router: web.UrlDispatcher, shop: Storefront) -> None:
    """The pages production and staging both serve."""
    router.add_get("/", shop.home)
    router.add_get("/shop", shop.shop)
    router.add_get("/products/{slug}", shop.product)
    router.add_get("/cart", shop.cart)
    router.add_get("/checkout/{session}", shop.checkout)
    router.add_get("/help", shop.help)
    router.add_get("/login", shop.login_form)
    router.add_post("/login", shop.login)
    router.add_get("/static/{name:.+}", shop.static)


class Storefront:
    def __init__(self, settings: DemoSettings) -> None:
        self._settings = settings
        self._fixed = settings.fixed
        self._home = pages.home(settings)
        self._static = static_files(settings)

    async def home(self, request: web.Request) -> web.Response:
        return _html(self._home)

    async def shop(self, request: web.Request) -> web.Response:
        return _html(pages.shop())

    async def old_shop(self, request: web.Request) -> web.Response:
        # The page moved for good, but the flawed store says "temporarily" (302).
        raise (web.HTTPMovedPermanently if self._fixed else web.HTTPFound)("/shop")

    async def product(self, request: web.Request) -> web.Response:
        item = pages.PRODUCTS.get(request.match_info["slug"])
        if item is None:
            raise web.HTTPNotFound(text="No such candle.")
        return _html(pages.product(item))

    async def cart(self, request: web.Request) -> web.Response:
        response = _html(pages.cart())
        # Per-visitor page: the flawed one lets any shared cache keep it (and its cookie).
        response.headers["Cache-Control"] = (
            "private, no-store" if self._fixed else "public, max-age=300"
        )
        self._set_session(request, response)
        return response

    async def checkout(self, request: web.Request) -> web.Response:
        response = _html(pages.checkout(request.match_info["session"]))
        response.headers["Cache-Control"] = "private, no-store"
        return response

    async def help(self, request: web.Request) -> web.Response:
        return _html(pages.help_page(self._settings))

    async def login_form(self, request: web.Request) -> web.Response:
        return _html(pages.login())

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        email = str(form.get("email", "")).strip().lower()
        password = str(form.get("password", ""))
        known = secrets.compare_digest(
            password.encode(), self._settings.credentials.smoke_password.encode()
        )
        if email != SMOKE_CUSTOMER.email or not known:
            return _html(pages.login("That email and password do not match."), status=401)
        response = _html(pages.welcome(email))
        if self._fixed:
            response.headers["Cache-Control"] = "private, no-store"
        self._set_session(request, response, fresh=True)
        return response

    async def static(self, request: web.Request) -> web.Response:
        found = self._static.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        body, content_type = found
        response = web.Response(body=body, content_type=content_type)
        if self._fixed:
            response.headers["Cache-Control"] = STATIC_CACHE
        return response

    def _set_session(
        self, request: web.Request, response: web.Response, *, fresh: bool = False
    ) -> None:
        value = request.cookies.get(SESSION_COOKIE)
        if fresh or not value:
            value = secrets.token_urlsafe(24)
        if self._fixed:
            response.set_cookie(
                SESSION_COOKIE, value, path="/", secure=True, httponly=True, samesite="Lax"
            )
        else:
            response.set_cookie(SESSION_COOKIE, value, path="/")


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _redirect_app(target_origin: str, status: int) -> web.Application:
    """Redirect every path of a host to ``target_origin`` with the same path and query."""
    exception = web.HTTPMovedPermanently if status == 301 else web.HTTPFound

    async def redirect(request: web.Request) -> web.Response:
        raise exception(target_origin + request.path_qs)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    return app


def _staging_gate() -> web.Application:
    """Fixed staging: nothing without credentials, like HTTP basic auth in front of it."""

    async def gate(request: web.Request) -> web.Response:
        return web.Response(
            status=401,
            text="Authentication required.",
            headers={"WWW-Authenticate": 'Basic realm="Demo Candles staging"'},
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", gate)
    return app


def _mta_sts_app() -> web.Application:
    async def policy(request: web.Request) -> web.Response:
        return web.Response(text=MTA_STS_POLICY, headers={"Cache-Control": "max-age=86400"})

    app = web.Application()
    app.router.add_get("/.well-known/mta-sts.txt", policy)
    return app
