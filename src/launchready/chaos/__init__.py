"""Chaos experiments on a staging store: a fault-injecting proxy between the store and each
of its dependencies, and the experiments that drive the routes through it (issue 13)."""

from __future__ import annotations

from launchready.chaos.faults import EXPERIMENT_FAULTS, PASS_THROUGH, Fault, parse_faults
from launchready.chaos.proxy import Counters, FaultProxy
from launchready.chaos.run import ChaosOptions, chaos_report

__all__ = [
    "EXPERIMENT_FAULTS",
    "PASS_THROUGH",
    "ChaosOptions",
    "Counters",
    "Fault",
    "FaultProxy",
    "chaos_report",
    "parse_faults",
]
