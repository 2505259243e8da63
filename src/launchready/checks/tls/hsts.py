"""Strict-Transport-Security, read as a browser reads it (RFC 6797 6.1 and 8.1).

A header a browser ignores protects nobody, so an invalid header counts as missing: a
missing or non-numeric max-age, a directive given twice, or a malformed directive. Only the
first header of a response counts (RFC 6797 8.1), as in browsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HSTS_MIN_MAX_AGE = 15552000
"""180 days: below it the protection lapses between a shopper's visits (checks.md)."""
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


@dataclass(frozen=True)
class HstsPolicy:
    """A header a browser would honour."""

    max_age: int
    include_subdomains: bool
    preload: bool

    @property
    def reaches_other_hosts(self) -> bool:
        """includeSubDomains or preload: the policy leaves this one host."""
        return self.include_subdomains or self.preload


def parse_hsts(header: str | None) -> HstsPolicy | str:
    """The policy of ``header``, or why a browser ignores it (a short reason)."""
    if header is None:
        return "no Strict-Transport-Security header"
    seen: dict[str, str | None] = {}
    for part in header.split(";"):
        directive = part.strip()
        if not directive:
            continue  # RFC 6797 6.1: empty directives are allowed
        name, eq, value = directive.partition("=")
        name = name.strip().lower()
        if not _TOKEN.match(name):
            return f"malformed directive {directive!r}"
        if name in seen:
            return f"directive {name!r} appears twice (RFC 6797 6.1)"
        text = value.strip() if eq else None
        if text is not None and len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        seen[name] = text
    if "max-age" not in seen:
        return "max-age is missing"
    max_age = seen["max-age"]
    if max_age is None or not max_age.isdigit():
        return f"max-age {max_age!r} is not a number of seconds"
    return HstsPolicy(int(max_age), "includesubdomains" in seen, "preload" in seen)
