"""One pass over the bytes with every rule at once, then a precise look with ``re``.

Hyperscan compiles every rule and every keyword into one database and scans a file once,
near memory bandwidth; a hit only says *which rule ended where*, so Python ``re`` then runs
that rule on a window around the hit to pull out the value. Where no hyperscan wheel exists
the ``re`` engine gives the same answers: a case-insensitive keyword prefilter picks the
rules worth running, then each runs over the data. Both engines then apply the same
filters (entropy floor, global allow list, inline ``launchready:allow``), so they agree.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from launchready.secrets.rules import ALLOW_MARKER, Rule, load_allow, load_rules, shannon_entropy


def _import_hyperscan() -> ModuleType | None:
    try:
        import hyperscan as module
    except ImportError:  # no wheel for this platform: the ``re`` engine takes over
        return None
    return module


hyperscan: ModuleType | None = _import_hyperscan()

REDACTION_KEY = b"launchready-redaction-v1"
"""Fixed, public HMAC key: it keeps redactions stable across runs and machines (baselines
depend on that) while denying a plain sha256 lookup table of known keys."""

LOOKBACK = 8192
"""Bytes before a hyperscan hit where the match may start: more than the longest rule span
(a service-account JSON with a 4096-bit key)."""
LOOKAHEAD = 8192

Engine = Literal["auto", "hyperscan", "re"]


def keyed_hash(value: str) -> str:
    """hmac-sha256 of ``value`` under :data:`REDACTION_KEY`, hex."""
    return hmac.new(REDACTION_KEY, value.encode("utf-8", "surrogateescape"), "sha256").hexdigest()


@dataclass(frozen=True)
class Match:
    """One credential found; ``secret`` stays in memory and is never printed or logged."""

    rule_id: str
    path: str
    line: int
    secret: str
    commit: str | None = None
    author_date: str | None = None

    @property
    def redacted(self) -> str:
        """First 4 characters and a short keyed hash: enough to tell two keys apart and
        to find the key in a dashboard, never enough to use it."""
        return f"{self.secret[:4]}…{keyed_hash(self.secret)[:8]}"

    def __repr__(self) -> str:
        """Never the value, even in a traceback or a test failure."""
        return (
            f"Match(rule_id={self.rule_id!r}, path={self.path!r}, line={self.line}, "
            f"secret={self.redacted!r}, commit={self.commit!r})"
        )


@dataclass(frozen=True)
class _Hit:
    rule: int
    start: int  # of the secret
    end: int
    match_start: int
    match_end: int
    secret: str


def _hs_pattern(pattern: str) -> bytes:
    return re.sub(r"\(\?P<\w+>", "(", pattern).encode()


def _hs_literal(keyword: str) -> bytes:
    return b"".join(bytes([c]) if chr(c).isalnum() else b"\\x%02x" % c for c in keyword.encode())


def _compiles(expression: bytes) -> bool:
    assert hyperscan is not None
    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(expressions=[expression])
    except hyperscan.error:
        return False
    return True


class _HyperscanDB:
    """Rules and keywords in one block-mode database; one scratch space per thread."""

    def __init__(self, rules: Sequence[Rule], keywords: Sequence[str]) -> None:
        assert hyperscan is not None
        expressions = [_hs_pattern(r.pattern) for r in rules] + [_hs_literal(k) for k in keywords]
        flags = [0 for _ in rules] + [
            hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH for _ in keywords
        ]
        ids = list(range(len(expressions)))
        self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            self.db.compile(expressions=expressions, ids=ids, flags=flags)
        except hyperscan.error:
            # A construct hyperscan cannot compile exactly: let it approximate that rule
            # (it may over-report, never under-report); ``re`` confirms every hit anyway.
            for index, expression in enumerate(expressions[: len(rules)]):
                if not _compiles(expression):
                    flags[index] = hyperscan.HS_FLAG_PREFILTER
            self.db.compile(expressions=expressions, ids=ids, flags=flags)
        self._scratch = hyperscan.Scratch(self.db)
        self._local = threading.local()
        self._lock = threading.Lock()
        self.rule_count = len(rules)

    def scan(self, data: bytes) -> tuple[dict[int, list[int]], set[int]]:
        """Hit end offsets per rule index, and the keyword indexes present."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            with self._lock:
                scratch = self._scratch.clone()
            self._local.scratch = scratch
        ends: dict[int, list[int]] = {}
        seen: set[int] = set()
        n = self.rule_count

        def on_match(ident: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
            if ident < n:
                ends.setdefault(ident, []).append(to)
            else:
                seen.add(ident - n)

        self.db.scan(data, match_event_handler=on_match, scratch=scratch)
        return ends, seen


class Scanner:
    """All rules, compiled once; safe to share between threads."""

    def __init__(self, rules: Sequence[Rule] | None = None, *, engine: Engine = "auto") -> None:
        self.rules: tuple[Rule, ...] = tuple(rules) if rules is not None else load_rules()
        self._regexes = [re.compile(r.pattern.encode()) for r in self.rules]
        self._keywords = sorted({k.lower() for r in self.rules for k in r.keywords})
        kw_index = {k: i for i, k in enumerate(self._keywords)}
        self._rule_keywords = [
            frozenset(kw_index[k.lower()] for k in r.keywords) for r in self.rules
        ]
        self._allow = load_allow()
        if engine == "hyperscan" and hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        use_hs = engine == "hyperscan" or (engine == "auto" and hyperscan is not None)
        self._hs = _HyperscanDB(self.rules, self._keywords) if use_hs else None

    @property
    def engine(self) -> str:
        """``hyperscan`` or ``re``: which engine this scanner runs."""
        return "hyperscan" if self._hs is not None else "re"

    def _applies(self, index: int, present: set[int]) -> bool:
        wanted = self._rule_keywords[index]
        return not wanted or bool(wanted & present)

    def _candidates(self, data: bytes) -> Iterator[_Hit]:
        if self._hs is not None:
            ends, present = self._hs.scan(data)
            for index in sorted(ends):
                if self._applies(index, present):
                    yield from self._confirm(index, data, sorted(ends[index]))
            return
        lowered = data.lower()
        present = {i for i, k in enumerate(self._keywords) if lowered.find(k.encode()) >= 0}
        for index in range(len(self.rules)):
            if self._applies(index, present):
                yield from self._extract(index, data, 0, len(data), len(data))

    def _confirm(self, index: int, data: bytes, ends: list[int]) -> Iterator[_Hit]:
        """Run the rule's ``re`` on merged windows around hyperscan's hit ends."""
        windows: list[list[int]] = []
        for end in ends:
            if windows and end - LOOKBACK <= windows[-1][1]:
                windows[-1][1] = end
            else:
                windows.append([max(end - LOOKBACK, 0), end])
        seen: set[int] = set()
        for low, high in windows:
            for hit in self._extract(index, data, low, min(high + LOOKAHEAD, len(data)), high):
                if hit.start not in seen:
                    seen.add(hit.start)
                    yield hit

    def _extract(self, index: int, data: bytes, low: int, high: int, last: int) -> Iterator[_Hit]:
        rule = self.rules[index]
        for m in self._regexes[index].finditer(data, low, high):
            if m.start() > last:
                break
            start, end = m.span(rule.secret_group)
            if start < 0:
                continue
            yield _Hit(
                index, start, end, m.start(), m.end(), data[start:end].decode("utf-8", "replace")
            )

    def _keep(self, hit: _Hit, data: bytes) -> bool:
        rule = self.rules[hit.rule]
        if rule.entropy is not None and shannon_entropy(hit.secret) < rule.entropy:
            return False
        if self._allow.allows(rule.id, hit.secret):
            return False
        line_start = data.rfind(b"\n", 0, hit.match_start) + 1
        line_end = data.find(b"\n", hit.match_end)
        return (
            data.find(ALLOW_MARKER.encode(), line_start, line_end if line_end >= 0 else len(data))
            < 0
        )

    def scan_bytes(self, data: bytes, path: str) -> list[Match]:
        """Every secret in ``data``. A value inside another rule's match is reported once,
        under the earlier (more specific) rule: the key id inside an AWS pair or the
        ``private_key_id`` inside a service-account JSON is part of that one credential."""
        kept: list[_Hit] = []
        for hit in sorted(self._candidates(data), key=lambda h: (h.rule, h.start)):
            if any(hit.start < k.match_end and k.match_start < hit.end for k in kept):
                continue
            if self._keep(hit, data):
                kept.append(hit)
        kept.sort(key=lambda h: (h.start, h.rule))
        return [
            Match(self.rules[h.rule].id, path, data.count(b"\n", 0, h.start) + 1, h.secret)
            for h in kept
        ]

    def scan_paths(self, paths: Sequence[Path], *, workers: int | None = None) -> list[Match]:
        """Every secret in the files under ``paths``; see :mod:`launchready.secrets.walker`."""
        from launchready.secrets.walker import scan_paths

        return scan_paths(self, paths, workers=workers)

    def scan_history(self, repo: Path) -> list[Match]:
        """Every secret ever committed; see :mod:`launchready.secrets.history`."""
        from launchready.secrets.history import scan_history

        return scan_history(self, repo)


__all__ = ["LOOKBACK", "REDACTION_KEY", "Match", "Scanner", "keyed_hash"]
