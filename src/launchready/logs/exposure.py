"""Credentials and customer data in log lines, found per chunk and never kept in clear.

Credentials go through the project's secret engine (:class:`~launchready.secrets.Scanner`,
one hyperscan pass over the chunk's bytes), so a key is recognised, redacted and
fingerprinted here exactly as in ``secrets scan``. Customer data is found with polars
expressions over the chunk's lines: card numbers (then confirmed by the brand's prefix
and the Luhn checksum, in Python but only for the few candidates), email addresses, and
password or token parameters in URLs and messages.

Only redacted stubs leave this module, and :func:`scrub` removes the same kinds of data
from any other text taken from a log (error templates, unparsed examples), so no output
format can show a clear value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from launchready.secrets import Match, Scanner
from launchready.secrets.matcher import keyed_hash

EMAIL = r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
CARD_CANDIDATE = r"(?:^|[^0-9])\d(?:[ -]?\d){12,18}(?:[^0-9]|$)"
CARD_PREFILTER = r"\d{4}[ -]?\d{4}[ -]?\d{4}"
CREDENTIAL_PREFILTER = r"(?i)pass|pwd|secret|token|api.?key|session"
ANY_PREFILTER = "|".join((r"@|%40", CARD_PREFILTER, "(?i:pass|pwd|secret|token|api.?key|session)"))
CREDENTIAL_KEYS = (
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "reset_token",
    "api_key",
    "apikey",
    "api-key",
    "session_id",
    "sessionid",
)
CREDENTIAL = (
    r"(?i)(?:^|[^A-Za-z0-9_-])[\"']?(?:"
    + "|".join(re.escape(k) for k in CREDENTIAL_KEYS)
    + r")[\"']?\s*[=:]\s*[\"']?[^\s&\"',;}\]]+"
)
MASKED_VALUES = frozenset(
    {"", "null", "none", "nil", "undefined", "true", "false", "redacted", "filtered", "hidden"}
)
NOT_EMAIL_TLDS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "css", "js", "map", "woff"}
)
"""``logo@2x.png`` is an image, not an address."""
CARD_BRANDS = re.compile(
    r"^(?:4\d{12,18}|5[1-5]\d{14}|2[2-7]\d{14}|3[47]\d{13}|6(?:011|5\d\d)\d{12,15}|35\d{14})$"
)

KIND_CARD = "card number"
KIND_EMAIL = "email address"
KIND_CREDENTIAL = "password or token parameter"
_EMAIL_RE = re.compile(EMAIL)
_CARD_RE = re.compile(r"(?<![0-9])\d(?:[ -]?\d){12,18}(?![0-9])")
_KEYS = "|".join(re.escape(k) for k in CREDENTIAL_KEYS)
_CREDENTIAL_RE = re.compile(
    rf"(?i)(?<![A-Za-z0-9_-])([\"']?(?:{_KEYS})[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;}}\]]+)"
)
"""The Python twin of :data:`CREDENTIAL`: group 1 is the key and separator, group 2 the
value, so the value alone can be replaced."""


def luhn(digits: str) -> bool:
    """The Luhn checksum every card number satisfies."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card(candidate: str) -> bool:
    """A card brand's prefix and length, and a valid Luhn checksum."""
    digits = re.sub(r"[^0-9]", "", candidate)
    return CARD_BRANDS.match(digits) is not None and luhn(digits)


def is_customer_email(candidate: str, own_domains: Iterable[str] = ()) -> bool:
    """An address, not ``logo@2x.png``, and not at the store's own domain (the store's
    ``orders@`` sender is not customer data)."""
    domain = candidate.replace("%40", "@").lower().rpartition("@")[2]
    if domain.rpartition(".")[2] in NOT_EMAIL_TLDS:
        return False
    return not any(domain == d or domain.endswith("." + d) for d in own_domains)


def _credential(text: str) -> tuple[str, str] | None:
    match = _CREDENTIAL_RE.search(text)
    if match is None:
        return None
    key = re.sub(r"[\"'\s=:]", "", match.group(1))
    return key, match.group(2).strip("\"'")


def is_real_credential(text: str) -> bool:
    """A value is present and is not a placeholder (``***``, ``[FILTERED]``, ``null``)."""
    found = _credential(text)
    if found is None:
        return False
    value = found[1].lower().strip("[]<>()")
    return value not in MASKED_VALUES and any(c not in "*x•#.-_" for c in value)


def redact_card(candidate: str) -> str:
    """The first digit and the last four, as receipts print them."""
    digits = re.sub(r"[^0-9]", "", candidate)
    return f"{digits[0]}…{digits[-4:]}"


def redact_email(candidate: str) -> str:
    """The first letter and a keyed hash: two reports can be compared, nobody mailed."""
    address = candidate.replace("%40", "@").lower()
    return f"{address[:1]}…@…{keyed_hash(address)[:6]}"


def redact_credential(text: str) -> str:
    """The parameter's name and a keyed hash of its value."""
    found = _credential(text)
    if found is None:
        return "…"
    return f"{found[0]}=…{keyed_hash(found[1])[:6]}"


@dataclass
class Hit:
    """One kind of customer data in one file: how often, where first, what it looked like."""

    count: int
    first_line: int
    example: str
    """Redacted."""


@dataclass
class Exposure:
    """What one file exposes; matches keep their clear value in memory only, for
    fingerprints and :func:`scrub`."""

    secrets: dict[tuple[str, str], Match] = field(default_factory=dict)
    secret_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    pii: dict[str, Hit] = field(default_factory=dict)

    def add_secret(self, match: Match) -> None:
        key = (match.rule_id, match.secret)
        self.secrets.setdefault(key, match)
        self.secret_counts[key] = self.secret_counts.get(key, 0) + 1

    def add_pii(self, kind: str, count: int, line: int, example: str) -> None:
        hit = self.pii.get(kind)
        if hit is None:
            self.pii[kind] = Hit(count, line, example)
        else:
            hit.count += count


def scan_secrets(
    scanner: Scanner, data: bytes, shown: str, first_line: int, keep: pl.Series | None
) -> list[Match]:
    """Secret-engine matches in a chunk, with file line numbers; ``keep`` (one boolean
    per line of the chunk) drops matches on lines outside the time window."""
    found = []
    for match in scanner.scan_bytes(data, shown):
        row = match.line - 1
        if keep is not None and row < len(keep) and not keep[row]:
            continue
        found.append(
            Match(match.rule_id, shown, first_line + row, match.secret, match.commit, None)
        )
    return found


def scan_pii(
    lines: pl.Series, first_line: int, keep: pl.Series | None, own_domains: tuple[str, ...]
) -> list[tuple[str, int, int, str]]:
    """``(kind, count, first line, redacted example)`` for each kind of customer data in
    the chunk's ``lines``. Native regexes pick the candidates; Python only confirms the
    distinct ones (Luhn, the store's own domain, placeholders)."""
    frame = pl.DataFrame({"line": lines}).with_row_index("row")
    suspects = pl.col("line").str.contains(ANY_PREFILTER)
    # One pass over the chunk keeps the few lines worth a closer look; the three probes
    # below then run on those alone (a clean access log has almost none).
    frame = frame.filter(suspects & keep if keep is not None else suspects)
    if frame.is_empty():
        return []
    results: list[tuple[str, int, int, str]] = []
    probes = (
        (KIND_CARD, pl.col("line").str.contains(CARD_PREFILTER), CARD_CANDIDATE, is_card),
        (
            KIND_EMAIL,
            pl.col("line").str.contains("@", literal=True)
            | pl.col("line").str.contains("%40", literal=True),
            EMAIL,
            lambda c: is_customer_email(c, own_domains),
        ),
        (
            KIND_CREDENTIAL,
            pl.col("line").str.contains(CREDENTIAL_PREFILTER),
            CREDENTIAL,
            is_real_credential,
        ),
    )
    redactors = {
        KIND_CARD: redact_card,
        KIND_EMAIL: redact_email,
        KIND_CREDENTIAL: redact_credential,
    }
    for kind, prefilter, pattern, confirm in probes:
        found = (
            frame.filter(prefilter)
            .select("row", pl.col("line").str.extract_all(pattern).alias("hit"))
            .explode("hit")
            .drop_nulls("hit")
        )
        if found.is_empty():
            continue
        if kind == KIND_CARD:
            found = found.with_columns(pl.col("hit").str.replace_all(r"^[^0-9]+|[^0-9]+$", ""))
        good = [h for h in found.get_column("hit").unique().to_list() if confirm(h)]
        if not good:
            continue
        real = found.filter(pl.col("hit").is_in(good))
        row, hit = real.row(0)  # rows keep the chunk's order: the first is the earliest
        results.append((kind, real.height, first_line + int(row), redactors[kind](hit)))
    return results


def scrub(text: str, secrets: Iterable[Match] = ()) -> str:
    """``text`` (an error template, an unparsed example) with every credential the scan
    found, card number, email address and credential parameter value replaced by a stub."""
    for match in secrets:
        if match.secret:
            text = text.replace(match.secret, match.redacted)
    text = _CARD_RE.sub(lambda m: "{card}" if is_card(m.group(0)) else m.group(0), text)
    text = _EMAIL_RE.sub("{email}", text)
    return _CREDENTIAL_RE.sub(
        lambda m: m.group(1) + "…" if is_real_credential(m.group(0)) else m.group(0), text
    )


__all__ = [
    "KIND_CARD",
    "KIND_CREDENTIAL",
    "KIND_EMAIL",
    "Exposure",
    "Hit",
    "is_card",
    "luhn",
    "scan_pii",
    "scan_secrets",
    "scrub",
]
