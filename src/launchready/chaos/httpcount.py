"""Counting the HTTP/1.x requests a store sends its dependency, from the raw byte stream.

Only plain HTTP can be counted: a TLS stream or another protocol (SMTP) is recognised from
its first bytes and the counter switches itself off for that connection, leaving the
connection and byte counters as the measure. Messages are delimited as HTTP/1.1 says
(Content-Length, chunked), so a request line inside a body is not counted twice and
pipelined requests are each counted.
"""

from __future__ import annotations

import re

MAX_HEAD = 64 * 1024
"""A request head longer than this is not one we can follow: stop counting."""
_REQUEST_LINE = re.compile(rb"^[A-Z]{3,10} \S+ HTTP/1\.[01]$")
_TOKEN = re.compile(rb"^[A-Z]{1,10}( |$)")


class RequestLineCounter:
    """Fed the client-to-upstream bytes of one connection; counts request lines."""

    def __init__(self) -> None:
        self.requests = 0
        self.active = True
        self._state = "head"
        self._buffer = bytearray()
        self._remaining = 0

    def feed(self, data: bytes) -> int:
        """Account for ``data``; returns how many new request lines it completed."""
        before = self.requests
        view = memoryview(data)
        while self.active and len(view):
            view = self._step(view)
        return self.requests - before

    def _step(self, view: memoryview) -> memoryview:
        if self._state in ("body", "chunk-data"):
            taken = min(self._remaining, len(view))
            self._remaining -= taken
            if self._remaining == 0:
                self._state = "head" if self._state == "body" else "chunk-size"
            return view[taken:]
        self._buffer += view
        return self._lines()

    def _lines(self) -> memoryview:
        """Consume what the line-oriented states can from the buffer; hand back the rest."""
        if self._state == "head":
            stripped = self._buffer.lstrip(b"\r\n")
            if not _TOKEN.match(bytes(stripped[:11])) and len(stripped) > 0:
                self.active = False  # TLS, SMTP, binary: not HTTP/1.x
                return memoryview(b"")
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    self.active = False
                return memoryview(b"")
            head, rest = bytes(self._buffer[:end]), bytes(self._buffer[end + 4 :])
            self._buffer.clear()
            self._head(head.lstrip(b"\r\n"))
            return memoryview(rest)
        end = self._buffer.find(b"\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD:
                self.active = False
            return memoryview(b"")
        line, rest = bytes(self._buffer[:end]), bytes(self._buffer[end + 2 :])
        self._buffer.clear()
        if self._state == "chunk-size":
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                self.active = False
                return memoryview(b"")
            if size == 0:
                self._state = "trailer"
            else:
                self._state, self._remaining = "chunk-data", size + 2  # data and its CRLF
        elif self._state == "trailer" and not line:
            self._state = "head"
        return memoryview(rest)

    def _head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        if not _REQUEST_LINE.match(lines[0]):
            self.active = False
            return
        self.requests += 1
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            self._state = "chunk-size"
            return
        length = headers.get(b"content-length", b"0")
        if not length.isdigit():
            self.active = False
            return
        if int(length):
            self._state, self._remaining = "body", int(length)


__all__ = ["RequestLineCounter"]
