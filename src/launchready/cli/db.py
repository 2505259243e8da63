"""``launchready db [--analyze]``: the database diagnostics alone.

The audit's db area with its own report and exit code, plus ``--analyze``, which the audit
never does: it runs each manifest SELECT under EXPLAIN ANALYZE (rolled back, READ ONLY) to
time it. Anything but a plain SELECT is refused before connecting, exit 2, naming the
query: the flag must never be a way to execute a write.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from launchready.cli.app import app
from launchready.cli.options import DEFAULT_MANIFEST, Common, ManifestOpt, with_common_options
from launchready.cli.output import emit
from launchready.db import db_findings, hot_queries, inspect_database, summary
from launchready.errors import CheckConfigError, CheckTimeout, InputError
from launchready.findings import AttemptStatus, CheckAttempt, Report, area_report
from launchready.manifest import Manifest, load_manifest
from launchready.runner import open_context, redact_report

AnalyzeOpt = Annotated[
    bool,
    typer.Option(
        "--analyze",
        help="Also run each database.queries SELECT under EXPLAIN ANALYZE (rolled back) "
        "and report those slower than 100 ms; anything but a SELECT is refused.",
    ),
]


@app.command("db")
@with_common_options
def db(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    analyze: AnalyzeOpt = False,
    *,
    opts: Common,
) -> None:
    """Database diagnostics: hot queries' plans, sequential scans, slow and dominant
    statements, unindexed foreign keys, each with the index to create."""
    loaded = load_manifest(manifest)
    if loaded.database is None:
        raise InputError(f"{manifest}: no database section to inspect")
    hot_queries(loaded.database, analyze=analyze)  # bad input fails here, before connecting
    report = asyncio.run(_db(loaded, opts, analyze))
    raise typer.Exit(emit(report, opts))


async def _db(manifest: Manifest, opts: Common, analyze: bool) -> Report:
    started_at, clock = datetime.now(UTC), time.perf_counter()
    options = opts.audit_options()
    async with open_context(manifest, options) as ctx:
        try:
            inspection = await asyncio.wait_for(
                inspect_database(ctx, analyze=analyze), options.area_deadline
            )
        except TimeoutError:
            raise CheckTimeout(
                f"the database diagnostics did not finish within {options.area_deadline:g}s"
            ) from None
        except CheckConfigError as exc:
            raise InputError(str(exc)) from None
    report = area_report(
        manifest.site.domain,
        CheckAttempt("db", AttemptStatus.RAN, round((time.perf_counter() - clock) * 1000)),
        db_findings(inspection),
        started_at=started_at,
        extras={"db": summary(inspection)},
        command="db",
    )
    return redact_report(report, manifest)


__all__ = ["db"]
