"""Keeping secrets out of every output.

Two tools: :class:`Redactor` replaces values that came from ``${VAR}`` with the variable's
name wherever they would be printed, and :func:`mask` shortens a credential found by a scan
to a recognisable stub. Both run before a finding reaches a renderer or a fingerprint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MIN_SECRET_LENGTH = 3


class Redactor:
    """Replaces known secret values by ``${NAME}``, longest first so overlaps stay hidden."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        values = sorted((v for v in secrets if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)
        self._names = dict(secrets)
        self._pattern = re.compile("|".join(re.escape(v) for v in values)) if values else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: "${" + self._names[m.group(0)] + "}", text)


def mask(secret: str, keep: int = 4) -> str:
    """``sk_live_51Habc...wxyz`` style: enough to recognise, never enough to use."""
    if len(secret) <= keep * 3:
        return secret[:2] + "…" if len(secret) > 2 else "…"
    prefix = secret[: min(len(secret) // 4, 8)]
    return f"{prefix}…{secret[-keep:]}"
