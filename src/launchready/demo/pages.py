"""The storefront's HTML pages.

Plain string templates (no Jinja2) because the pages are few and fixed, and because the
home page's inline chat script must be byte-for-byte stable: the fixed variant's
Content-Security-Policy allows it by its SHA-256 hash instead of 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html import escape

from launchready.demo.settings import DemoSettings


@dataclass(frozen=True)
class Product:
    slug: str
    name: str
    price_cents: int
    blurb: str

    @property
    def price(self) -> str:
        return f"${self.price_cents / 100:.2f}"


PRODUCTS = {
    p.slug: p
    for p in (
        Product("lavender", "Lavender Fields", 2400, "Soy wax, French lavender, 50 hours."),
        Product("cedar", "Cedar & Smoke", 2800, "Cedarwood and a hint of campfire, 55 hours."),
        Product("vanilla", "Vanilla Bean", 2200, "Madagascar vanilla, 45 hours."),
    )
}


def chat_script(settings: DemoSettings) -> str:
    """The chat widget: opens the panel, posts to the chat API, shows the bot's reply."""
    return (
        "(function () {\n"
        '  var panel = document.getElementById("chat-panel");\n'
        '  var log = document.getElementById("chat-log");\n'
        '  var input = document.getElementById("chat-input");\n'
        '  var session = "web-" + Math.random().toString(36).slice(2);\n'
        "  function add(kind, text) {\n"
        '    var item = document.createElement("div");\n'
        '    item.className = "chat-message " + kind;\n'
        "    item.textContent = text;\n"
        "    log.appendChild(item);\n"
        "  }\n"
        '  document.getElementById("chat-launcher").addEventListener("click", function () {\n'
        "    panel.hidden = false;\n"
        "    input.focus();\n"
        "  });\n"
        '  input.addEventListener("keydown", function (event) {\n'
        '    if (event.key !== "Enter" || !input.value.trim()) { return; }\n'
        "    var message = input.value;\n"
        '    input.value = "";\n'
        '    add("user", message);\n'
        f'    fetch("https://{settings.chat}/api/message", {{\n'
        '      method: "POST",\n'
        '      headers: { "Content-Type": "application/json" },\n'
        "      body: JSON.stringify({ message: message, session_id: session })\n"
        "    })\n"
        "      .then(function (response) { return response.json(); })\n"
        '      .then(function (data) { add("bot", data.reply); })\n'
        '      .catch(function () { add("bot", "Sorry, our assistant is unavailable."); });\n'
        "  });\n"
        "})();\n"
    )


def script_hash(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def layout(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} | Demo Candles</title>\n"
        '<link rel="stylesheet" href="/static/app.css">\n'
        '<script src="/static/app.js" defer></script>\n'
        "</head>\n<body>\n"
        '<header class="site-header"><a class="brand" href="/">Demo Candles</a><nav>'
        '<a href="/shop">Shop</a><a href="/help">Help</a><a href="/cart">Cart</a>'
        '<a href="/login">Sign in</a></nav></header>\n'
        f"<main>\n{body}\n</main>\n"
        '<footer>Demo Candles, hand-poured in small batches. <a href="/help">Shipping and '
        "returns</a></footer>\n</body>\n</html>\n"
    )


def home(settings: DemoSettings) -> str:
    # The flawed theme hard-codes its banner with http://: mixed content on an HTTPS page.
    banner = (
        "/static/img/banner.svg"
        if settings.fixed
        else (f"http://{settings.www}/static/img/banner.svg")
    )
    # Last summer's campaign link, still on the page though its host is long gone.
    promo = (
        ""
        if settings.fixed
        else (
            f'<p class="promo"><a href="https://promo.{settings.domain}/summer">'
            "Summer sale</a></p>\n"
        )
    )
    body = (
        f'<section class="hero"><img src="{banner}" alt="Hand-poured candles" '
        'width="960" height="240"></section>\n'
        "<h1>Candles for slow evenings</h1>\n"
        f"{_product_list()}\n{promo}"
        '<button id="chat-launcher" type="button">Ask our candle expert</button>\n'
        '<section id="chat-panel" hidden><div id="chat-log" aria-live="polite"></div>'
        '<input id="chat-input" type="text" placeholder="Ask about scents, orders, shipping"'
        ' autocomplete="off"></section>\n'
        f"<script>{chat_script(settings)}</script>"
    )
    return layout("Home", body)


def shop() -> str:
    return layout("Shop", f"<h1>All candles</h1>\n{_product_list()}")


def product(item: Product) -> str:
    body = (
        f'<article class="product-page"><img src="/static/img/{item.slug}.svg" alt="" '
        f'width="120" height="160"><h1>{escape(item.name)}</h1>'
        f'<p class="price">{item.price}</p><p>{escape(item.blurb)}</p>'
        f'<button class="button" data-add-to-cart="{item.slug}">Add to cart</button></article>'
    )
    return layout(item.name, body)


def cart() -> str:
    body = (
        '<h1>Your cart</h1><p id="cart-empty">Your cart is waiting for a candle.</p>'
        '<button class="button" data-checkout>Checkout</button>'
    )
    return layout("Cart", body)


def checkout(session_id: str) -> str:
    return layout(
        "Checkout", f"<h1>Checkout</h1><p>Session {escape(session_id)} is ready for payment.</p>"
    )


def login(message: str = "") -> str:
    note = f'<p class="notice">{escape(message)}</p>' if message else ""
    body = (
        f"<h1>Sign in</h1>{note}"
        '<form method="post" action="/login">'
        '<label for="email">Email</label><input id="email" name="email" type="email">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password">'
        '<p><button class="button" type="submit">Sign in</button></p></form>'
    )
    return layout("Sign in", body)


def welcome(email: str) -> str:
    return layout("Your account", f"<h1>Welcome back</h1><p>Signed in as {escape(email)}.</p>")


def help_page(settings: DemoSettings) -> str:
    body = (
        "<h1>Help</h1>"
        "<h2>Shipping</h2><p>Standard shipping takes 3 to 5 working days and is free on "
        "orders over $50.</p>"
        "<h2>Returns</h2><p>Unused candles can be returned within 30 days.</p>"
        "<h2>Discounts</h2><p>Current offers are announced in our newsletter; we do not "
        "issue codes through chat.</p>"
        f'<p>Anything else: <a href="mailto:support@{settings.domain}">'
        f"support@{settings.domain}</a></p>"
    )
    return layout("Help", body)


def _product_list() -> str:
    items = "".join(
        f'<li class="product"><a href="/products/{p.slug}">'
        f'<img src="/static/img/{p.slug}.svg" alt="" width="120" height="160">'
        f'{escape(p.name)}</a> <span class="price">{p.price}</span></li>'
        for p in PRODUCTS.values()
    )
    return f'<ul class="products">{items}</ul>'
