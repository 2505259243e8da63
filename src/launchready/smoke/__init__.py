"""The post-deploy smoke test: every route, the health route, the webhook rejection, and
the extra steps (chat, browser), each a :class:`StepResult` with its resolved conditions."""

from __future__ import annotations

from launchready.smoke.runner import extra_steps, run_smoke, smoke_findings, smoke_report
from launchready.smoke.steps import StepResult, rebase, route_conditions, route_step

__all__ = [
    "StepResult",
    "extra_steps",
    "rebase",
    "route_conditions",
    "route_step",
    "run_smoke",
    "smoke_findings",
    "smoke_report",
]
