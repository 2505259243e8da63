"""The check areas, written out once (the explicit registry of sslyze's ``scan_commands``).

Each implemented area is a module of this package exposing ``async def run(ctx)`` and,
when it needs a manifest section, ``def skip_reason(manifest) -> str | None``. An area the
catalog names but this version does not implement yet is listed with no module: the
audit reports it as skipped with that reason instead of pretending it passed. A test
fails when a module of this package is missing here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType

from launchready.checks import (
    chatbot,
    cloudflare,
    db,
    dns,
    edge,
    email,
    env,
    launch,
    logs,
    monitor,
    perf,
    routing,
    secrets,
    tls,
    web,
)
from launchready.context import CheckContext
from launchready.findings import Finding
from launchready.manifest import Manifest

RunFn = Callable[[CheckContext], Awaitable[list[Finding]]]
SkipFn = Callable[[Manifest], "str | None"]


@dataclass(frozen=True)
class Area:
    """One audit area: its name (the catalog prefix) and how to run it."""

    name: str
    module: ModuleType | None = None
    elsewhere: str | None = None
    """Why the audit leaves this area to another command (the smoke test runs after a
    deploy, not before launch)."""

    @property
    def implemented(self) -> bool:
        return self.module is not None

    def skip_reason(self, manifest: Manifest) -> str | None:
        """Why this area cannot run for ``manifest``, or None when it can."""
        if self.elsewhere is not None:
            return self.elsewhere
        if self.module is None:
            return "not implemented in this version of launchready"
        reason: SkipFn | None = getattr(self.module, "skip_reason", None)
        return reason(manifest) if reason is not None else None

    async def run(self, ctx: CheckContext) -> list[Finding]:
        assert self.module is not None, f"area {self.name} has no checks"
        run: RunFn = self.module.run
        return await run(ctx)


AUDIT_AREAS: tuple[Area, ...] = (
    Area("launch", launch),
    Area("dns", dns),
    Area("email", email),
    Area("tls", tls),
    Area("routing", routing),
    Area("web", web),
    Area("edge", edge),
    Area("cloudflare", cloudflare),
    Area("secrets", secrets),
    Area("env", env),
    Area("logs", logs),
    Area("db", db),
    Area("perf", perf),
    Area("chatbot", chatbot),
    Area("smoke", elsewhere="a post-deploy check: run `launchready smoke` after each deploy"),
    Area("monitor", monitor),
)
"""Every area ``launchready audit`` knows, in the order of cli.md's AREAS list."""

AREA_NAMES: tuple[str, ...] = tuple(a.name for a in AUDIT_AREAS)


def select_areas(only: set[str] | None = None, skip: set[str] | None = None) -> list[Area]:
    """The areas of ``--only``/``--skip``; unknown names are the caller's to reject."""
    return [
        a
        for a in AUDIT_AREAS
        if (only is None or a.name in only) and (skip is None or a.name not in skip)
    ]
