"""Route templates: values in paths become placeholders; templates map to manifest routes."""

from __future__ import annotations

import polars as pl
import pytest

from launchready.logs.templates import RouteMap, template_of, with_keys
from launchready.manifest.models import Route


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/orders/1001", "/orders/{id}"),
        ("/orders/1001/items/7", "/orders/{id}/items/{id}"),
        ("/orders/1001?email=jane@example.com", "/orders/{id}"),
        ("/api/users/5/orders/", "/api/users/{id}/orders/"),
        ("/o/3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b", "/o/{uuid}"),
        ("/carts/5f1a9c2e7b3d4f60", "/carts/{hex}"),
        ("/account/jane.doe@example.com/orders", "/account/{email}/orders"),
        ("/account/jane.doe%40example.com", "/account/{email}"),
        ("/reset/Xk29fQpL7mZ2vB8nR4tY", "/reset/{token}"),
        ("/static/js/main.3f2a9c1b7e8d.chunk.js", "/static/js/{token}"),
        ("/products/summer-sale-collection-2026", "/products/summer-sale-collection-2026"),
        ("/products/blue-candle", "/products/blue-candle"),
        ("/deadbeef", "/deadbeef"),
        ("https://shop.test/cart?x=1", "/cart"),
        ("", "/"),
        ("/", "/"),
    ],
)
def test_templates(path: str, template: str) -> None:
    assert template_of(path) == template


def test_keys_join_method_and_template_and_keep_rows() -> None:
    frame = pl.DataFrame(
        {
            "method": ["GET", "post", None, "GET"],
            "path": ["/orders/1", "/checkout/session?x=1", "/orders/2", "/orders/1?utm=a"],
        }
    )
    keyed = with_keys(frame)
    assert sorted(keyed.get_column("key").to_list()) == sorted(
        ["GET /orders/{id}", "POST /checkout/session", "- /orders/{id}", "GET /orders/{id}"]
    )


def _route(name: str, url: str, **extra: object) -> Route:
    return Route.model_validate({"name": name, "url": url, **extra})


def test_templates_map_to_manifest_routes_by_method_and_path() -> None:
    routes = RouteMap(
        [
            _route("order-status", "https://api.shop.test/orders/1001"),
            _route(
                "checkout", "https://api.shop.test/checkout/session", method="POST", checkout=True
            ),
            _route("search", "https://shop.test/search", budget_p95="800ms"),
        ]
    )
    order = routes.route("GET /orders/{id}")
    assert order is not None and order.name == "order-status"
    assert routes.route("POST /orders/{id}") is None
    assert routes.route("- /orders/{id}") is order  # no method in the log: path decides
    assert routes.budget_ms("POST /checkout/session") == 500
    assert routes.budget_ms("GET /search") == 800
    assert routes.budget_ms("GET /cart") == 300
    assert routes.budget_ms("POST /api/checkout") == 500  # checkout-looking, unmapped
