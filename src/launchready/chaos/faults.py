"""The faults the proxy can inject, on the model of Toxiproxy's toxics.

A fault is a value the proxy consults for every chunk it moves, so switching one on or off
takes effect at once on open connections too: a store that keeps a pooled keep-alive
connection to its email or AI provider meets the fault on that connection, as it would in a
real outage, instead of slipping past it on a connection opened before the experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from launchready.errors import InputError

FaultKind = Literal["none", "latency", "hang", "refuse", "reset", "bandwidth"]
EXPERIMENT_FAULTS: tuple[str, ...] = ("latency", "hang", "refuse")
"""What ``launchready chaos --fault`` accepts, in the order the experiments run."""


@dataclass(frozen=True)
class Fault:
    """One fault; ``Fault()`` is pass-through.

    ``latency`` delays every chunk the dependency sends back by ``latency`` seconds, plus or
    minus up to ``jitter`` (Toxiproxy's ``latency`` toxic, downstream). ``hang`` accepts
    connections and drops every byte both ways (``timeout`` with timeout 0). ``refuse``
    stops listening, so connecting fails at once (a disabled proxy). ``reset`` forwards
    ``reset_after`` bytes of the answer, then sends a TCP RST both ways (``reset_peer``).
    ``bandwidth`` delivers the answer at ``rate`` bytes per second (``bandwidth``).
    """

    kind: FaultKind = "none"
    latency: float = 0.0
    jitter: float = 0.0
    reset_after: int = 0
    rate: float = 0.0

    def __post_init__(self) -> None:
        if self.latency < 0 or self.jitter < 0 or self.reset_after < 0:
            raise ValueError("fault durations and sizes cannot be negative")
        if self.kind == "bandwidth" and self.rate <= 0:
            raise ValueError("a bandwidth fault needs a rate above zero")

    @property
    def label(self) -> str:
        """How reports name this fault: ``latency 2s``, ``hang``..."""
        if self.kind == "latency":
            jitter = f" ±{self.jitter:g}s" if self.jitter else ""
            return f"latency {self.latency:g}s{jitter}"
        if self.kind == "bandwidth":
            return f"bandwidth {self.rate:g} B/s"
        if self.kind == "reset":
            return f"reset after {self.reset_after} B"
        return self.kind


PASS_THROUGH = Fault()


def parse_faults(text: str | None) -> tuple[str, ...]:
    """``--fault latency,hang`` as the experiments to run, in run order; None means all."""
    if text is None:
        return EXPERIMENT_FAULTS
    names = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(names - set(EXPERIMENT_FAULTS))
    if unknown or not names:
        listed = ", ".join(unknown) if unknown else "(none)"
        raise InputError(
            f"--fault: unknown fault {listed}; faults are {', '.join(EXPERIMENT_FAULTS)}"
        )
    return tuple(name for name in EXPERIMENT_FAULTS if name in names)


def split_host_port(value: str) -> tuple[str, int]:
    """``127.0.0.1:2525`` or ``[::1]:2525`` -> (host, port); the manifest checked the shape."""
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


__all__ = [
    "EXPERIMENT_FAULTS",
    "PASS_THROUGH",
    "Fault",
    "FaultKind",
    "parse_faults",
    "split_host_port",
]
