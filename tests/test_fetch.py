"""fetch.py's pure parts: URL comparison and what a chain says about its hops."""

from __future__ import annotations

import pytest

from launchready.fetch import Chain, Hop, same_url


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.shop.test", "https://www.shop.test/", True),
        ("HTTPS://WWW.Shop.Test:443/", "https://www.shop.test/", True),
        ("http://shop.test:80/a", "http://shop.test/a", True),
        ("https://shop.test:8443/", "https://shop.test/", False),
        ("https://shop.test/a?x=1", "https://shop.test/a?x=2", False),
        ("http://shop.test/", "https://shop.test/", False),
        ("https://shop.test/A", "https://shop.test/a", False),
    ],
)
def test_same_url(a: str, b: str, same: bool) -> None:
    assert same_url(a, b) is same


def test_chain_properties() -> None:
    chain = Chain(
        "http://shop.test/",
        (
            Hop("http://shop.test/", 302, "https://shop.test/"),
            Hop("https://shop.test/", 301, "https://www.shop.test/"),
            Hop("https://www.shop.test/", 200),
        ),
    )
    assert [h.status for h in chain.redirects] == [302, 301]
    assert chain.final_url == "https://www.shop.test/" and not chain.failed
    broken = Chain("http://x.test/", (Hop("http://x.test/", None, error="refused"),))
    assert broken.failed and broken.redirects == ()
    looped = Chain(
        "https://a.test/",
        (
            Hop("https://a.test/", 301, "https://b.test/"),
            Hop("https://b.test/", 301, "https://a.test/"),
        ),
        loop=True,
    )
    assert looped.final_url == "https://a.test/"
