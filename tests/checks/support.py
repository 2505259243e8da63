"""Build a real CheckContext (resolver, HTTP client) for a manifest, as the runner does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from launchready.context import CheckContext
from launchready.manifest import Manifest
from launchready.net import HttpClient, Resolver


@asynccontextmanager
async def check_context(
    manifest: Manifest, *, op_timeout: float = 3.0
) -> AsyncIterator[CheckContext]:
    """A context whose network honours ``manifest.network``, closed afterwards."""
    limiter = asyncio.Semaphore(32)
    resolver = Resolver(manifest.network, timeout=op_timeout, limiter=limiter)
    ca = manifest.network.ca_bundle
    ca_bundle = manifest.resolve_path(ca) if ca else None
    async with HttpClient(
        manifest.network, resolver, ca_bundle=ca_bundle, timeout=op_timeout, limiter=limiter
    ) as http:
        yield CheckContext(manifest, resolver, http, op_timeout)
