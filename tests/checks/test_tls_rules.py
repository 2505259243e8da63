"""The pure parts of the tls area: the HSTS header as a browser reads it, and name matching."""

from __future__ import annotations

import pytest

from launchready.checks.tls.hsts import HstsPolicy, parse_hsts
from launchready.checks.tls.rules import covers


@pytest.mark.parametrize(
    ("header", "policy"),
    [
        ("max-age=31536000", HstsPolicy(31536000, False, False)),
        ("max-age=31536000; includeSubDomains; preload", HstsPolicy(31536000, True, True)),
        ('MAX-AGE="600" ; INCLUDESUBDOMAINS', HstsPolicy(600, True, False)),
        ("max-age=0", HstsPolicy(0, False, False)),
        (";max-age=60;;", HstsPolicy(60, False, False)),
        ("max-age=60; unknown-directive=x", HstsPolicy(60, False, False)),
    ],
)
def test_a_header_browsers_honour(header: str, policy: HstsPolicy) -> None:
    assert parse_hsts(header) == policy


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no Strict-Transport-Security header"),
        ("includeSubDomains", "max-age is missing"),
        ("max-age=soon", "not a number"),
        ("max-age=-1", "not a number"),
        ("max-age", "not a number"),
        ("max-age=60; max-age=600", "appears twice"),
        ("max age=60", "malformed"),
    ],
)
def test_a_header_browsers_ignore_says_why(header: str | None, reason: str) -> None:
    result = parse_hsts(header)
    assert isinstance(result, str) and reason in result


@pytest.mark.parametrize(
    ("host", "names", "expected"),
    [
        ("www.shop.test", ["www.shop.test"], True),
        ("WWW.shop.test.", ["www.SHOP.test"], True),
        ("api.shop.test", ["*.shop.test"], True),
        ("a.b.shop.test", ["*.shop.test"], False),
        ("shop.test", ["*.shop.test"], False),
        ("shop.test", ["*.test"], False),
        ("api.shop.test", ["www.shop.test", "shop.test"], False),
        ("api.shop.test", ["api*.shop.test"], False),
    ],
)
def test_names_cover_a_host_as_rfc_6125_says(host: str, names: list[str], expected: bool) -> None:
    assert covers(host, names) is expected
