"""Proofs about shipping: the clean-clone build with its artifact scan (``deploy check``)
and the deploy-smoke-rollback drill on staging (``deploy drill``).

Both run the user's own shell commands, so both go through one runner
(:mod:`launchready.deploy.shell`) that limits, logs, redacts and, when needed, kills the
whole process group.
"""

from __future__ import annotations

from launchready.deploy.check import DEFAULT_BUILD_TIMEOUT, DELIVERABLE, CheckOptions, check_report
from launchready.deploy.drill import DrillOptions, drill_commands, drill_report
from launchready.deploy.shell import ShellResult, run_shell

__all__ = [
    "DEFAULT_BUILD_TIMEOUT",
    "DELIVERABLE",
    "CheckOptions",
    "DrillOptions",
    "ShellResult",
    "check_report",
    "drill_commands",
    "drill_report",
    "run_shell",
]
