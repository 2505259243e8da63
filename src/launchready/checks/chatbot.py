"""The AI assistant: the red-team set run against the manifest's chat endpoint.

The same run as ``launchready redteam``: the audit's chatbot findings and that command's
report cannot disagree. A manifest that does not fit the endpoint (a JSONPath that finds
no reply, a broken extra probe file) makes this area an error with the reason, never a
silent pass.
"""

from __future__ import annotations

from launchready.chat.findings import redteam_findings
from launchready.chat.redteam import run_redteam, summary
from launchready.context import CheckContext
from launchready.errors import CheckConfigError, InputError
from launchready.findings import Finding
from launchready.manifest import Manifest


def skip_reason(manifest: Manifest) -> str | None:
    return None if manifest.chatbot is not None else "no chatbot section in the manifest"


async def run(ctx: CheckContext) -> list[Finding]:
    try:
        result = await run_redteam(ctx)
    except InputError as exc:
        raise CheckConfigError(str(exc)) from None
    ctx.deliver("redteam", summary(result))
    return redteam_findings(result)
