"""What a check receives: the manifest and the network layer, nothing global."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from launchready.manifest import Manifest
from launchready.net import HttpClient, Resolver


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may use. Checks never read the environment or global state."""

    manifest: Manifest
    resolver: Resolver
    http: HttpClient
    timeout: float
    now: Callable[[], datetime] = field(default=_utcnow)
