"""Conditions as small readable strings, evaluated over one probe (Gatus ``condition.go``).

A smoke step or a monitor check says what "working" means in a line a founder can read and
edit: ``[STATUS] == 200``, ``[BODY] contains "ok"``, ``[RESPONSE_TIME] < 300``. Evaluating
one keeps the *resolved* form, ``[STATUS] (503) == 200``, so a report or the dashboard shows
why it failed without a second look at the server.

The grammar is ``PLACEHOLDER OPERATOR VALUE``, deliberately small:

=============================  ===================================  ==========================
placeholder                    operators                            value
=============================  ===================================  ==========================
``[STATUS]``                   ``== != < <= > >=``                  an integer; with ``==`` and
                                                                    ``!=`` also a class such as
                                                                    ``4xx`` or ``any(200, 3xx)``
``[RESPONSE_TIME]``            ``== != < <= > >=``                  milliseconds (``300``) or a
                                                                    duration (``500ms``, ``2s``)
``[BODY]``                     ``== != contains !contains``         text, bare or ``"quoted"``
``[CONNECTED]``                ``== !=``                            ``true`` or ``false``
``[CERTIFICATE_EXPIRATION]``   ``== != < <= > >=``                  a duration (``48h``, ``14d``)
=============================  ===================================  ==========================

A placeholder the probe could not fill (no answer, so no status) resolves to ``no answer``
and fails every comparison: an unreachable store is never "not 500".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from launchready.durations import parse_duration
from launchready.errors import DurationError, InputError

Placeholder = Literal["STATUS", "RESPONSE_TIME", "BODY", "CONNECTED", "CERTIFICATE_EXPIRATION"]
PLACEHOLDERS: tuple[Placeholder, ...] = (
    "STATUS",
    "RESPONSE_TIME",
    "BODY",
    "CONNECTED",
    "CERTIFICATE_EXPIRATION",
)
ORDERING = ("<=", ">=", "<", ">")
EQUALITY = ("==", "!=")
TEXTUAL = ("contains", "!contains")
BODY_EVIDENCE_CHARS = 80
"""Longest body excerpt in a resolved condition: enough to recognise an error page, short
enough that a 5 MB page never ends up in a report or an alert."""
MISSING = "no answer"

_SYNTAX = re.compile(
    r"^\s*\[(?P<name>[A-Z_]+)\]\s*(?P<op>==|!=|<=|>=|<|>|!contains(?=\s)|contains(?=\s))"
    r"\s*(?P<value>.*?)\s*$",
    re.DOTALL,
)
_STATUS_CLASS = re.compile(r"^[1-5]xx$")
_ANY = re.compile(r"^any\((?P<items>.*)\)$", re.DOTALL)
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class ProbeResult:
    """What one probe saw, as the placeholders read it; ``None`` means "could not tell"."""

    status: int | None = None
    response_time_ms: float | None = None
    body: str = ""
    connected: bool = False
    certificate_expiration_s: float | None = None
    """Seconds until the certificate expires (negative once it has)."""


@dataclass(frozen=True)
class ConditionResult:
    """One evaluated condition: whether it held, and the resolved form that says why."""

    ok: bool
    resolved: str


@dataclass(frozen=True)
class Condition:
    """A parsed condition; ``str()`` gives its canonical text."""

    placeholder: Placeholder
    op: str
    value: str
    """The right-hand side as written (quotes removed from text)."""

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Read ``[PLACEHOLDER] OP VALUE``; anything else is an InputError saying what is wrong."""
        match = _SYNTAX.match(text)
        if match is None:
            raise InputError(
                f"condition {text!r}: write [PLACEHOLDER] OPERATOR VALUE, e.g. [STATUS] == 200"
            )
        name, op, raw = match.group("name"), match.group("op"), match.group("value")
        placeholder = _placeholder(name, text)
        if not raw:
            raise InputError(f"condition {text!r}: nothing to compare with after {op}")
        condition = cls(placeholder, op, _unquote(raw, text) if placeholder == "BODY" else raw)
        condition._validate(text)
        return condition

    def __str__(self) -> str:
        return f"[{self.placeholder}] {self.op} {self._shown_value()}"

    def evaluate(self, result: ProbeResult) -> ConditionResult:
        """Whether ``result`` meets the condition, with the observed value spelled out."""
        observed, ok = self._observe(result)
        shown = f"[{self.placeholder}] ({observed}) {self.op} {self._shown_value()}"
        return ConditionResult(ok, shown)

    def _shown_value(self) -> str:
        return _quote(self.value) if self.placeholder == "BODY" else self.value

    def _validate(self, text: str) -> None:
        allowed = {
            "STATUS": EQUALITY + ORDERING,
            "RESPONSE_TIME": EQUALITY + ORDERING,
            "BODY": EQUALITY + TEXTUAL,
            "CONNECTED": EQUALITY,
            "CERTIFICATE_EXPIRATION": EQUALITY + ORDERING,
        }[self.placeholder]
        if self.op not in allowed:
            raise InputError(
                f"condition {text!r}: [{self.placeholder}] takes {' '.join(allowed)}, not {self.op}"
            )
        if self.placeholder == "STATUS":
            _status_matcher(self.value, self.op, text)
        elif self.placeholder == "RESPONSE_TIME":
            _milliseconds(self.value, text)
        elif self.placeholder == "CONNECTED":
            _boolean(self.value, text)
        elif self.placeholder == "CERTIFICATE_EXPIRATION":
            _seconds(self.value, text)

    def _observe(self, result: ProbeResult) -> tuple[str, bool]:
        text = str(self)
        match self.placeholder:
            case "STATUS":
                if result.status is None:
                    return MISSING, False
                return str(result.status), _status_matcher(self.value, self.op, text)(result.status)
            case "RESPONSE_TIME":
                if result.response_time_ms is None:
                    return MISSING, False
                limit = _milliseconds(self.value, text)
                return f"{result.response_time_ms:.0f}", _COMPARE[self.op](
                    result.response_time_ms, limit
                )
            case "BODY":
                body = result.body
                held = {
                    "==": body == self.value,
                    "!=": body != self.value,
                    "contains": self.value in body,
                    "!contains": self.value not in body,
                }[self.op]
                return _quote(excerpt(body)), held
            case "CONNECTED":
                wanted = _boolean(self.value, text)
                held = (result.connected == wanted) == (self.op == "==")
                return str(result.connected).lower(), held
            case "CERTIFICATE_EXPIRATION":
                left = result.certificate_expiration_s
                if left is None:
                    return MISSING, False
                return _duration_text(left), _COMPARE[self.op](left, _seconds(self.value, text))


def evaluate_all(conditions: Sequence[Condition], result: ProbeResult) -> list[ConditionResult]:
    """Every condition against the same probe, in order (all are evaluated, none skipped,
    so a report shows every reason at once)."""
    return [condition.evaluate(result) for condition in conditions]


def excerpt(body: str, limit: int = BODY_EVIDENCE_CHARS) -> str:
    """``body`` on one line and at most ``limit`` characters, the cut marked with ``…``."""
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _placeholder(name: str, text: str) -> Placeholder:
    for known in PLACEHOLDERS:
        if known == name:
            return known
    raise InputError(
        f"condition {text!r}: unknown placeholder [{name}]; "
        f"known: {', '.join(f'[{p}]' for p in PLACEHOLDERS)}"
    )


def _status_matcher(value: str, op: str, text: str) -> Callable[[int], bool]:
    """A predicate for ``[STATUS] op value``: an integer, a class (``4xx``) or ``any(...)``."""
    found = _ANY.match(value)
    items = [i.strip() for i in found.group("items").split(",")] if found else [value]
    if op in ORDERING:
        if found or not items[0].isdigit():
            raise InputError(f"condition {text!r}: {op} compares with a number, e.g. 500")
        limit = int(items[0])
        return lambda status: _COMPARE[op](status, limit)
    tests = [_status_test(item, text) for item in items]
    if op == "==":
        return lambda status: any(test(status) for test in tests)
    return lambda status: not any(test(status) for test in tests)


def _status_test(item: str, text: str) -> Callable[[int], bool]:
    if item.isdigit():
        code = int(item)
        return lambda status: status == code
    if _STATUS_CLASS.match(item):
        hundred = int(item[0])
        return lambda status: status // 100 == hundred
    raise InputError(
        f"condition {text!r}: {item!r} is not a status code, a class such as 4xx, or any(200, 204)"
    )


def _milliseconds(value: str, text: str) -> float:
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        return parse_duration(value) * 1000
    except DurationError:
        raise InputError(
            f"condition {text!r}: {value!r} is not milliseconds (300) or a duration (500ms, 2s)"
        ) from None


def _seconds(value: str, text: str) -> float:
    try:
        return parse_duration(value)
    except DurationError:
        raise InputError(
            f"condition {text!r}: {value!r} is not a duration with a unit, e.g. 48h or 14d"
        ) from None


def _boolean(value: str, text: str) -> bool:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InputError(f"condition {text!r}: [CONNECTED] compares with true or false")


def _duration_text(seconds: float) -> str:
    """``9.5d``, ``36h``, ``-2h`` (expired): the largest unit that keeps the number readable."""
    sign, size = ("-" if seconds < 0 else ""), abs(seconds)
    for unit, length in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if size >= length * (2 if unit == "d" else 1):
            return f"{sign}{size / length:.1f}".removesuffix(".0") + unit
    return f"{sign}{size:.0f}s"


def _unquote(raw: str, text: str) -> str:
    """Text in double quotes, with ``\\"`` and ``\\\\`` escapes; bare text as it is."""
    if not raw.startswith('"'):
        return raw
    out: list[str] = []
    index = 1
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw) and raw[index + 1] in '"\\':
            out.append(raw[index + 1])
            index += 2
            continue
        if char == '"':
            if index != len(raw) - 1:
                raise InputError(f'condition {text!r}: write \\" for a quote inside quoted text')
            return "".join(out)
        out.append(char)
        index += 1
    raise InputError(f"condition {text!r}: the quoted text is not closed")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
