"""SPF macros (RFC 7208 section 7): syntax checked once, expanded per evaluation.

A record is tokenised when it is parsed, because RFC 7208 4.6 makes a macro syntax error
anywhere in the record a permerror even when evaluation never reaches that term. Expansion
is asynchronous only because ``%{p}`` (the validated host name) needs DNS; it is resolved
lazily, at most once per evaluation, so a record that never names ``%{p}`` costs no PTR
lookup.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

DOMAIN_LETTERS = frozenset("slodiphv")
"""Macro letters allowed in a domain-spec (RFC 7208 7.2)."""
EXPLAIN_LETTERS = DOMAIN_LETTERS | frozenset("crt")
"""``c``, ``r`` and ``t`` are allowed only in explanation text (``exp=`` TXT records)."""
MAX_DOMAIN_LENGTH = 253

_BODY = re.compile(r"([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)")
_ESCAPES = {"%": "%", "_": " ", "-": "%20"}


class MacroError(ValueError):
    """A macro-string that RFC 7208 7.1 does not allow; the message says why."""


@dataclass(frozen=True)
class Macro:
    """One ``%{...}`` expression; an upper-case letter asks for URL-escaping (7.3)."""

    letter: str
    digits: int | None
    reverse: bool
    delimiters: str


@dataclass(frozen=True)
class Escape:
    """``%%``, ``%_`` or ``%-``: a macro-expand by grammar, constant text when expanded."""

    text: str


Token = str | Macro | Escape
"""Literal text, a macro, or an escape, in the order written."""


def tokenize(text: str, *, explain: bool = False) -> tuple[Token, ...]:
    """Split a macro-string into tokens, raising :class:`MacroError` on any bad ``%``.

    ``explain`` selects the explanation-string grammar: spaces and the ``c``/``r``/``t``
    letters become legal there and nowhere else.
    """
    allowed = EXPLAIN_LETTERS if explain else DOMAIN_LETTERS
    tokens: list[Token] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "%":
            if not ("\x21" <= char <= "\x7e" or (explain and char == " ")):
                raise MacroError(f"character {char!r} is not allowed (visible ASCII only)")
            literal.append(char)
            i += 1
            continue
        following = text[i + 1 : i + 2]
        if literal:
            tokens.append("".join(literal))
            literal = []
        if following in _ESCAPES:
            tokens.append(Escape(_ESCAPES[following]))
            i += 2
            continue
        if following != "{":
            raise MacroError(f"'%' must be followed by '{{', '%', '_' or '-' (at {text[i:]!r})")
        end = text.find("}", i)
        if end < 0:
            raise MacroError(f"unterminated macro {text[i:]!r}")
        tokens.append(_macro(text[i + 2 : end], text[i : end + 1], allowed))
        i = end + 1
    if literal:
        tokens.append("".join(literal))
    return tuple(tokens)


def _macro(body: str, written: str, allowed: frozenset[str]) -> Macro:
    match = _BODY.fullmatch(body)
    if match is None:
        raise MacroError(f"malformed macro {written!r}")
    letter, digits, reverse, delimiters = match.groups()
    if letter.lower() not in allowed:
        where = "in explanation text" if allowed is EXPLAIN_LETTERS else "in a domain-spec"
        raise MacroError(f"macro letter {letter!r} is not allowed {where} ({written!r})")
    if digits and int(digits) == 0:
        raise MacroError(f"a macro's digit transformer must be nonzero ({written!r})")
    return Macro(letter, int(digits) if digits else None, bool(reverse), delimiters)


def has_macros(tokens: Sequence[Token]) -> bool:
    """True when expansion depends on the message (any ``%{...}``)."""
    return any(isinstance(token, Macro) for token in tokens)


def literal_text(tokens: Sequence[Token]) -> str:
    """The text of tokens without macros (escapes expanded), e.g. for the static audit."""
    return "".join(
        t.text if isinstance(t, Escape) else t for t in tokens if not isinstance(t, Macro)
    )


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class MacroValues:
    """What the letters stand for during one check_host() evaluation (RFC 7208 7.3)."""

    sender: str
    local: str
    sender_domain: str
    domain: str
    ip: IPAddress
    helo: str
    validated: Callable[[str], Awaitable[str]]
    """``%{p}``: the validated name of ``ip`` preferring ``domain``; ``unknown`` when none."""
    receiver: str = "unknown"
    clock: Callable[[], float] = field(default=time.time)

    def with_domain(self, domain: str) -> MacroValues:
        """The same message seen from an included or redirected domain (``%{d}`` changes)."""
        return MacroValues(
            self.sender,
            self.local,
            self.sender_domain,
            domain,
            self.ip,
            self.helo,
            self.validated,
            self.receiver,
            self.clock,
        )

    async def value(self, letter: str) -> str:
        key = letter.lower()
        if key == "p":
            return await self.validated(self.domain)
        if key == "i":
            if self.ip.version == 6:
                return ".".join(self.ip.exploded.replace(":", ""))
            return str(self.ip)
        simple = {
            "s": self.sender,
            "l": self.local,
            "o": self.sender_domain,
            "d": self.domain,
            "v": "in-addr" if self.ip.version == 4 else "ip6",
            "h": self.helo,
            "c": str(self.ip),
            "r": self.receiver,
            "t": str(int(self.clock())),
        }
        return simple[key]


async def expand(tokens: Sequence[Token], values: MacroValues) -> str:
    """The text of ``tokens`` with every macro replaced (7.3: split, reverse, keep, join)."""
    out: list[str] = []
    for token in tokens:
        if isinstance(token, Macro):
            out.append(_transform(await values.value(token.letter), token))
        elif isinstance(token, Escape):
            out.append(token.text)
        else:
            out.append(token)
    return "".join(out)


def _transform(value: str, macro: Macro) -> str:
    parts = re.split("[" + re.escape(macro.delimiters or ".") + "]", value)
    if macro.reverse:
        parts.reverse()
    if macro.digits is not None:
        parts = parts[-macro.digits :]
    text = ".".join(parts)
    return quote(text, safe="") if macro.letter.isupper() else text


async def expand_domain(tokens: Sequence[Token], values: MacroValues) -> str:
    """A domain-spec expanded for a query: trailing dot dropped, then cut to 253 characters
    from the left, label by label (RFC 7208 7.3), so a long ``%{l}`` cannot make the
    query impossible."""
    name = await expand(tokens, values)
    if name.endswith("."):
        name = name[:-1]
    while len(name) > MAX_DOMAIN_LENGTH and "." in name:
        name = name.split(".", 1)[1]
    return name
