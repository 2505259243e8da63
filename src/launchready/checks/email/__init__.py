"""The ``email`` area: whether the store's order mail will be delivered and trusted.

SPF, DKIM, DMARC and the transport records (MX, MTA-STS, TLS-RPT) are independent, so
their checks run concurrently; each is its own module over the parsers in
:mod:`launchready.mail`. The sending domain is ``email.domain``, else ``site.domain``, so
the area runs for every manifest: a store without order mail is rare, and a missing SPF
record is exactly what the founder needs to hear about.
"""

from __future__ import annotations

import asyncio

from launchready.checks.email import dkim, dmarc, spf, transport
from launchready.context import CheckContext
from launchready.findings import Finding


async def run(ctx: CheckContext) -> list[Finding]:
    """All email findings; if one part cannot judge (DNS failure), the area reports that
    after every part has finished, so no lookup is left running behind the runner."""
    parts = await asyncio.gather(
        spf.findings(ctx),
        dmarc.findings(ctx),
        dkim.findings(ctx),
        transport.findings(ctx),
        return_exceptions=True,
    )
    for part in parts:
        if isinstance(part, BaseException):
            raise part
    return [item for part in parts if not isinstance(part, BaseException) for item in part]
