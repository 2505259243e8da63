"""The ``db`` area: the queries behind order lookup and chat context, read-only.

The same inspection as ``launchready db`` without ``--analyze`` (an audit never executes a
user's query, it only plans it). A manifest query the database cannot plan is the
manifest's problem and makes the area a config error naming it; a database that cannot be
reached is the finding db.unreachable.
"""

from __future__ import annotations

from launchready.context import CheckContext
from launchready.db import db_findings, inspect_database, summary
from launchready.errors import CheckConfigError, InputError
from launchready.findings import Finding
from launchready.manifest import Manifest


def skip_reason(manifest: Manifest) -> str | None:
    return None if manifest.database is not None else "no database section in the manifest"


async def run(ctx: CheckContext) -> list[Finding]:
    try:
        inspection = await inspect_database(ctx)
    except InputError as exc:
        raise CheckConfigError(str(exc)) from None
    ctx.deliver("db", summary(inspection))
    return db_findings(inspection)
