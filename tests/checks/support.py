"""Build a real CheckContext (resolver, HTTP client) for a manifest, as the runner does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from launchready.context import CheckContext
from launchready.manifest import Manifest
from launchready.runner import AuditOptions, open_context


@asynccontextmanager
async def check_context(
    manifest: Manifest, *, op_timeout: float = 3.0
) -> AsyncIterator[CheckContext]:
    """The runner's own context for ``manifest`` (short timeouts for tests), closed after."""
    async with open_context(manifest, AuditOptions(timeout=op_timeout)) as ctx:
        yield ctx
