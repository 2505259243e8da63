"""Which requests a rate-limiting rule's expression covers, read from its text.

Rules are written in Cloudflare's Rules language (``(http.request.uri.path eq "/login")``,
``starts_with(http.request.uri.path, "/api/")``, ``http.host in {"chat.shop.com"}``). This
reads the path and host predicates people write in rate-limiting rules: ``eq``/``==``,
``in {...}``, ``contains``, ``matches``/``~``, ``starts_with()`` and ``ends_with()``, on
``http.request.uri.path``, ``http.request.uri`` and ``http.request.full_uri``, and
``http.host``. It does not evaluate the boolean structure: a rule counts as covering a
request when any of its path predicates (or none, when it has none) and any of its host
predicates (or none) accept it. That errs toward "covered": a rule that might protect the
path never yields ``cloudflare.no-rate-limit-rule`` (never cry wolf).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_STRING = r'"((?:[^"\\]|\\.)*)"'
_PATH_FIELD = r"(?:lower\()?http\.request\.(?:uri\.path|uri|full_uri)\)?"
_HOST_FIELD = r"(?:lower\()?http\.host\)?"

Predicate = Callable[[str], bool]


@dataclass(frozen=True)
class Coverage:
    """The predicates of one expression on the path and on the host."""

    paths: tuple[Predicate, ...]
    hosts: tuple[Predicate, ...]

    def covers(self, host: str, path: str) -> bool:
        host_ok = not self.hosts or any(p(host.lower()) for p in self.hosts)
        path_ok = not self.paths or any(p(path) for p in self.paths)
        return host_ok and path_ok


def coverage(expression: str) -> Coverage:
    return Coverage(_predicates(expression, _PATH_FIELD), _predicates(expression, _HOST_FIELD))


def _predicates(expression: str, field: str) -> tuple[Predicate, ...]:
    found: list[Predicate] = []
    for match in re.finditer(rf"{field}\s+(?:eq|==)\s+{_STRING}", expression):
        found.append(_equals(_unescape(match.group(1))))
    for match in re.finditer(rf"{field}\s+in\s+\{{([^}}]*)\}}", expression):
        found.append(_one_of({_unescape(v) for v in re.findall(_STRING, match.group(1))}))
    for match in re.finditer(rf"{field}\s+contains\s+{_STRING}", expression):
        found.append(_contains(_unescape(match.group(1))))
    for match in re.finditer(rf"{field}\s+(?:matches|~)\s+{_STRING}", expression):
        found.append(_matches(_unescape(match.group(1))))
    for match in re.finditer(rf"starts_with\(\s*{field}\s*,\s*{_STRING}\s*\)", expression):
        found.append(_starts(_unescape(match.group(1))))
    for match in re.finditer(rf"ends_with\(\s*{field}\s*,\s*{_STRING}\s*\)", expression):
        found.append(_ends(_unescape(match.group(1))))
    return tuple(found)


def _equals(value: str) -> Predicate:
    return lambda text: text == value or _bare(text) == value


def _one_of(values: set[str]) -> Predicate:
    return lambda text: text in values or _bare(text) in values


def _contains(needle: str) -> Predicate:
    return lambda text: needle in text


def _starts(prefix: str) -> Predicate:
    return lambda text: text.startswith(prefix)


def _ends(suffix: str) -> Predicate:
    return lambda text: _bare(text).endswith(suffix)


def _matches(pattern: str) -> Predicate:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return lambda _text: True  # a pattern Python cannot read: assume it covers
    return lambda text: compiled.search(text) is not None


def _bare(path: str) -> str:
    return path.split("?", 1)[0]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


__all__ = ["Coverage", "coverage"]
