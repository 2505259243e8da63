"""The storefront's static files: bundle, source map, stylesheet and images.

They are built in code rather than shipped as files because the flawed bundle carries
this run's freshly generated Stripe key (as a rushed build would inline it), and
because the fixed build differs from the flawed one only where the flaws are.
"""

from __future__ import annotations

import json

from launchready.demo.settings import DemoSettings

JS = "application/javascript"
CSS = "text/css"
SVG = "image/svg+xml"
SOURCE_MAP = "application/json"


def static_files(settings: DemoSettings) -> dict[str, tuple[bytes, str]]:
    """``/static/`` path -> (body, content type); the flawed build also serves its map."""
    files = {
        "app.js": (app_js(settings).encode(), JS),
        "app.css": (APP_CSS.encode(), CSS),
        "img/banner.svg": (BANNER_SVG.encode(), SVG),
        "img/lavender.svg": (_candle_svg("#9b7fd1").encode(), SVG),
        "img/cedar.svg": (_candle_svg("#8a5a3b").encode(), SVG),
        "img/vanilla.svg": (_candle_svg("#f1e3b5").encode(), SVG),
    }
    if not settings.fixed:
        files["app.js.map"] = (source_map(settings).encode(), SOURCE_MAP)
    return files


def app_js(settings: DemoSettings) -> str:
    """The storefront bundle; the flawed one inlines the Stripe secret key."""
    key_line = (
        "" if settings.fixed else f'    stripeSecretKey: "{settings.credentials.stripe_live}",\n'
    )
    auth = "" if settings.fixed else ', "Authorization": "Bearer " + config.stripeSecretKey'
    map_comment = "" if settings.fixed else "//# sourceMappingURL=app.js.map\n"
    return (
        "/* Demo Candles storefront bundle 1.4.2 */\n"
        "(function () {\n"
        '  "use strict";\n'
        "  var config = {\n"
        f'    apiBase: "https://{settings.api}",\n'
        f"{key_line}"
        '    currency: "usd"\n'
        "  };\n"
        "  function formatPrice(cents) {\n"
        '    return "$" + (cents / 100).toFixed(2);\n'
        "  }\n"
        "  function readCart() {\n"
        '    return JSON.parse(window.localStorage.getItem("cart") || "[]");\n'
        "  }\n"
        "  function addToCart(sku, quantity) {\n"
        "    var cart = readCart();\n"
        "    cart.push({ sku: sku, quantity: quantity || 1 });\n"
        '    window.localStorage.setItem("cart", JSON.stringify(cart));\n'
        '    document.dispatchEvent(new CustomEvent("cart:change", { detail: cart }));\n'
        "  }\n"
        "  function startCheckout() {\n"
        '    return fetch(config.apiBase + "/checkout/session", {\n'
        '      method: "POST",\n'
        f'      headers: {{ "Content-Type": "application/json"{auth} }},\n'
        '      body: JSON.stringify({ cart_id: "web-" + readCart().length })\n'
        "    })\n"
        "      .then(function (response) { return response.json(); })\n"
        "      .then(function (session) { window.location.href = session.url; });\n"
        "  }\n"
        '  document.addEventListener("click", function (event) {\n'
        "    var target = event.target;\n"
        '    if (target.matches("[data-add-to-cart]")) {\n'
        '      addToCart(target.getAttribute("data-add-to-cart"));\n'
        "    }\n"
        '    if (target.matches("[data-checkout]")) {\n'
        "      startCheckout();\n"
        "    }\n"
        "  });\n"
        "  window.DemoCandles = {\n"
        "    addToCart: addToCart,\n"
        "    startCheckout: startCheckout,\n"
        "    formatPrice: formatPrice\n"
        "  };\n"
        "})();\n"
        f"{map_comment}"
    )


def source_map(settings: DemoSettings) -> str:
    """The flawed build's source map: its sourcesContent holds the original config module."""
    config_src = (
        f'export const API_BASE = "https://{settings.api}";\n'
        f'export const STRIPE_SECRET_KEY = "{settings.credentials.stripe_live}";\n'
    )
    cart_src = (
        "export function addToCart(sku, quantity = 1) {\n"
        '  const cart = JSON.parse(localStorage.getItem("cart") ?? "[]");\n'
        "  cart.push({ sku, quantity });\n"
        '  localStorage.setItem("cart", JSON.stringify(cart));\n'
        "}\n"
    )
    return json.dumps(
        {
            "version": 3,
            "file": "app.js",
            "sources": ["../src/config.js", "../src/cart.js"],
            "sourcesContent": [config_src, cart_src],
            "names": ["API_BASE", "STRIPE_SECRET_KEY", "addToCart"],
            "mappings": "AAAA,SAASA;AACT,SAASC;AACT,SAASC",
        },
        indent=1,
    )


def _candle_svg(colour: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="160" viewBox="0 0 120 160">'
        f'<rect x="30" y="50" width="60" height="100" rx="6" fill="{colour}"/>'
        '<path d="M60 20 C70 35 70 45 60 48 C50 45 50 35 60 20Z" fill="#f5a623"/>'
        "</svg>\n"
    )


BANNER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="240" viewBox="0 0 960 240">'
    '<rect width="960" height="240" fill="#2d2438"/>'
    '<text x="48" y="140" font-family="Georgia, serif" font-size="56" fill="#f7efe2">'
    "Hand-poured candles</text></svg>\n"
)

APP_CSS = """\
:root {
  --ink: #2d2438;
  --paper: #fbf7f1;
  --accent: #b8860b;
  --muted: #7a6f85;
  --radius: 10px;
}
* { box-sizing: border-box; }
html { font-size: 16px; }
body {
  margin: 0;
  font-family: "Inter", "Helvetica Neue", Arial, sans-serif;
  color: var(--ink);
  background: var(--paper);
  line-height: 1.55;
}
a { color: var(--ink); text-decoration-color: var(--accent); }
.site-header {
  display: flex;
  justify-content: space-between;
  align-items: center;
  padding: 1rem 2rem;
  border-bottom: 1px solid #e8dfd3;
}
.site-header nav a { margin-left: 1.25rem; text-decoration: none; }
.brand { font-family: Georgia, serif; font-size: 1.4rem; font-weight: bold; }
main { max-width: 960px; margin: 0 auto; padding: 2rem; }
.hero img { width: 100%; height: auto; border-radius: var(--radius); }
.products { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.5rem; padding: 0; }
.product { list-style: none; background: #fff; border-radius: var(--radius); padding: 1rem; }
.product img { display: block; margin: 0 auto 0.5rem; }
.price { color: var(--accent); font-weight: bold; }
.button {
  display: inline-block;
  padding: 0.6rem 1.2rem;
  border: 0;
  border-radius: var(--radius);
  background: var(--ink);
  color: var(--paper);
  cursor: pointer;
}
form label { display: block; margin: 0.75rem 0 0.25rem; }
form input { width: 100%; max-width: 24rem; padding: 0.5rem; border: 1px solid #cfc4b6; }
#chat-launcher {
  position: fixed;
  right: 1.5rem;
  bottom: 1.5rem;
  padding: 0.8rem 1.2rem;
  border: 0;
  border-radius: 999px;
  background: var(--accent);
  color: #fff;
  cursor: pointer;
}
#chat-panel {
  position: fixed;
  right: 1.5rem;
  bottom: 5rem;
  width: 20rem;
  background: #fff;
  border-radius: var(--radius);
  box-shadow: 0 8px 24px rgba(0, 0, 0, 0.15);
  padding: 1rem;
}
#chat-log { max-height: 16rem; overflow-y: auto; }
.chat-message { margin: 0.4rem 0; padding: 0.5rem 0.75rem; border-radius: var(--radius); }
.chat-message.user { background: #efe7dc; text-align: right; }
.chat-message.bot { background: #f3eefa; }
#chat-input { width: 100%; padding: 0.5rem; border: 1px solid #cfc4b6; }
footer { text-align: center; color: var(--muted); padding: 2rem; font-size: 0.875rem; }
"""
