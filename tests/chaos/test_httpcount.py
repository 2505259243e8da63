"""Request lines counted from a raw client byte stream, as the proxy sees it."""

from __future__ import annotations

import pytest

from launchready.chaos.httpcount import RequestLineCounter

GET = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"


def chunked(*parts: bytes) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
    return b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("stream", "requests"),
    [
        (GET, 1),
        (GET * 3, 3),  # pipelined
        (
            b"POST /x HTTP/1.1\r\nContent-Length: 27\r\n\r\n" + GET + GET,
            2,
        ),  # a request line in a body
        (chunked(GET, b"GET /x HTTP/1.0\r\n\r\n") + GET, 2),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + GET, 0),  # TLS ClientHello
        (b"EHLO store.test\r\nMAIL FROM:<a@b>\r\n\r\n" + GET, 0),  # SMTP
        (b"GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n" + GET, 1),
        (b"", 0),
    ],
)
def test_counts(stream: bytes, requests: int) -> None:
    whole = RequestLineCounter()
    whole.feed(stream)
    assert whole.requests == requests
    bytewise = RequestLineCounter()  # the same stream, one byte per read
    for index in range(len(stream)):
        bytewise.feed(stream[index : index + 1])
    assert bytewise.requests == requests


def test_feed_returns_the_new_requests() -> None:
    counter = RequestLineCounter()
    assert counter.feed(GET[:10]) == 0
    assert counter.feed(GET[10:] + GET) == 2
