"""Route templates: ``/orders/1001`` and ``/orders/1002`` are one route, ``/orders/{id}``.

Per-URL statistics are useless (every order has its own URL) and leak customer data (an
email in a path, a reset token), so each path is cut at the query string and every
segment that is a value rather than a name becomes a placeholder: numbers ``{id}``,
UUIDs ``{uuid}``, hex IDs ``{hex}``, email addresses ``{email}``, long random strings
``{token}``. The same expression templates manifest routes, so a template maps to the
route whose URL it matches, by method and path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import polars as pl

from launchready.manifest import Route
from launchready.manifest.models import CHECKOUT_BUDGET_S, DEFAULT_BUDGET_S

UUID_SEGMENT = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
EMAIL_SEGMENT = r"^[^/@%\s]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
HEX_SEGMENT = r"^[0-9a-fA-F]{8,}$"
TOKEN_SEGMENT = r"^[A-Za-z0-9_~.=+%-]{16,}$"
CHECKOUT_PATH = re.compile(r"(^|/)checkout($|/|[-_.])", re.IGNORECASE)
"""Without a manifest, a path with a ``checkout`` segment gets the checkout budget."""
UNKNOWN_METHOD = "-"


def _segment(segment: pl.Expr) -> pl.Expr:
    has_digit = segment.str.contains(r"[0-9]")
    slug_like = segment.str.contains("-", literal=True) & ~segment.str.contains(r"[A-Z]")
    return (
        pl.when(segment.str.contains(EMAIL_SEGMENT))
        .then(pl.lit("{email}"))
        .when(segment.str.contains(UUID_SEGMENT))
        .then(pl.lit("{uuid}"))
        .when(segment.str.contains(r"^[0-9]+$"))
        .then(pl.lit("{id}"))
        .when(segment.str.contains(HEX_SEGMENT) & has_digit)
        .then(pl.lit("{hex}"))
        .when(segment.str.contains(TOKEN_SEGMENT) & has_digit & ~slug_like)
        .then(pl.lit("{token}"))
        .otherwise(segment)
    )


def path_template(path: pl.Expr) -> pl.Expr:
    """The template of a request target: scheme and host dropped (proxy-style targets),
    query and fragment dropped, each value-like segment a placeholder; ``/`` for empty."""
    bare = (
        path.str.replace(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", "")
        .str.replace(r"[?#].*$", "")
        .fill_null("")
    )
    templated = bare.str.split("/").list.eval(_segment(pl.element())).list.join("/")
    return pl.when(templated == "").then(pl.lit("/")).otherwise(templated)


def route_key(method: pl.Expr, path: pl.Expr) -> pl.Expr:
    """``GET /orders/{id}``: what the statistics group by."""
    return pl.concat_str(
        [method.fill_null(UNKNOWN_METHOD).str.to_uppercase(), pl.lit(" "), path_template(path)]
    )


def with_keys(requests: pl.DataFrame) -> pl.DataFrame:
    """``requests`` (``method`` and ``path`` columns) with a ``key`` column added.

    Each distinct path is templated once and joined back: real traffic repeats the same
    few hundred pages and assets, so this is many times less work than templating every
    line, and it does not change the result.
    """
    bare = requests.with_columns(
        pl.col("path").str.splitn("?", 2).struct.field("field_0").alias("_bare")
    )
    distinct = bare.select(pl.col("_bare").unique()).with_columns(
        path_template(pl.col("_bare")).alias("_template")
    )
    return (
        bare.join(distinct, on="_bare", how="left", nulls_equal=True)
        .with_columns(
            pl.concat_str(
                [
                    pl.col("method").fill_null(UNKNOWN_METHOD).str.to_uppercase(),
                    pl.lit(" "),
                    pl.col("_template"),
                ]
            ).alias("key")
        )
        .drop("_bare", "_template")
    )


def template_of(path: str) -> str:
    """:func:`path_template` for one path (a manifest route's URL), by the same rules."""
    return str(pl.select(path_template(pl.lit(path, dtype=pl.String))).item())


def split_key(key: str) -> tuple[str, str]:
    """``GET /orders/{id}`` -> (``GET``, ``/orders/{id}``)."""
    method, _, path = key.partition(" ")
    return method, path


class RouteMap:
    """Templates to manifest routes, by method and path (path alone when the log does not
    record the method, as some JSON logs do not)."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._by_key: dict[tuple[str, str], Route] = {}
        self._by_path: dict[str, Route] = {}
        for route in routes:
            path = template_of(urlsplit(route.url).path or "/")
            self._by_key.setdefault((route.method, path), route)
            self._by_path.setdefault(path, route)

    def route(self, key: str) -> Route | None:
        method, path = split_key(key)
        if method == UNKNOWN_METHOD:
            return self._by_path.get(path)
        return self._by_key.get((method, path))

    def budget_ms(self, key: str) -> float:
        """The route's p95 budget, else 500 ms for a checkout-looking path, else 300 ms."""
        route = self.route(key)
        if route is not None:
            return route.budget * 1000
        checkout = CHECKOUT_PATH.search(split_key(key)[1]) is not None
        return (CHECKOUT_BUDGET_S if checkout else DEFAULT_BUDGET_S) * 1000


__all__ = ["RouteMap", "path_template", "route_key", "split_key", "template_of", "with_keys"]
