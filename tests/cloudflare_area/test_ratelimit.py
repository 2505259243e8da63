"""Which requests a rate-limiting rule covers, read from its expression: a table of the
forms people write, and the cautious default for what the reader does not understand."""

from __future__ import annotations

import pytest

from launchready.cloudflare.ratelimit import coverage


@pytest.mark.parametrize(
    ("expression", "host", "path", "covered"),
    [
        ('(http.request.uri.path eq "/login")', "www.shop.test", "/login", True),
        ('(http.request.uri.path eq "/login")', "www.shop.test", "/signup", False),
        ('http.request.uri.path == "/login"', "www.shop.test", "/login", True),
        ('http.request.uri.path in {"/login" "/signup"}', "a.test", "/signup", True),
        ('http.request.uri.path in {"/login" "/signup"}', "a.test", "/cart", False),
        ('starts_with(http.request.uri.path, "/api/")', "a.test", "/api/chat", True),
        ('starts_with(http.request.uri.path, "/api/")', "a.test", "/app", False),
        ('ends_with(http.request.uri.path, "/chat")', "a.test", "/api/chat", True),
        ('http.request.uri.path contains "chat"', "a.test", "/api/chat", True),
        ('http.request.uri.path matches "^/api/(chat|message)$"', "a.test", "/api/message", True),
        ('http.request.uri.path matches "^/api/(chat|message)$"', "a.test", "/api/orders", False),
        ('lower(http.request.uri.path) eq "/login"', "a.test", "/login", True),
        ('http.request.uri contains "/login"', "a.test", "/login", True),
        ('http.host eq "chat.shop.test"', "chat.shop.test", "/anything", True),
        ('http.host eq "chat.shop.test"', "www.shop.test", "/anything", False),
        (
            'http.host eq "chat.shop.test" and http.request.uri.path eq "/x"',
            "chat.shop.test",
            "/x",
            True,
        ),
        ("true", "a.test", "/login", True),
        ("ip.src in {192.0.2.0/24}", "a.test", "/login", True),  # no path predicate: all paths
        ('http.request.uri.path matches "(unclosed"', "a.test", "/login", True),  # cautious
    ],
)
def test_coverage(expression: str, host: str, path: str, covered: bool) -> None:
    assert coverage(expression).covers(host, path) is covered
