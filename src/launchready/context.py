"""What a check receives: the manifest and the network layer, nothing global."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from launchready.manifest import Manifest
from launchready.net import HttpClient, Resolver

if TYPE_CHECKING:
    from launchready.load.run import LoadOptions


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
    probe_rate_limits: bool = False
    """``--probe-rate-limits``: send the bounded burst of ``edge.no-rate-limit`` (opt-in)."""
    lighthouse: bool = False
    """``--lighthouse``: score the storefront pages with Lighthouse (opt-in, slow)."""
    load: LoadOptions | None = None
    """``--load``: run the load test too, with these options (opt-in: real traffic)."""
    deliverables: dict[str, Any] = field(default_factory=dict)
    """Deliverables beyond the risk list (the DNS map, the redirect matrix), by name; they
    become ``Report.extras`` and are rendered by the formats that show them."""

    def deliver(self, name: str, value: Any) -> None:
        """Record a deliverable; each name is written by exactly one area."""
        if name in self.deliverables:
            raise ValueError(f"deliverable {name!r} was already delivered")
        self.deliverables[name] = value
