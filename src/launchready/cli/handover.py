"""``launchready handover``: the founder's one-page handover, from the manifest and
(``--from``) the last audit's JSON report.

Markdown for the repository, HTML for a browser, PDF (``-o handover.pdf``) for the
founder's desk, JSON for tooling; the text format is the Markdown. Always exits 0: the
page lists open items, it does not gate anything.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from launchready.cli.app import app
from launchready.cli.options import DEFAULT_MANIFEST, Common, ManifestOpt, with_common_options
from launchready.cli.output import write_output
from launchready.errors import InputError
from launchready.findings import Report
from launchready.handover.model import build_handover
from launchready.handover.render import html, markdown
from launchready.manifest import load_manifest
from launchready.report import Format, report_from_json


@app.command()
@with_common_options
def handover(
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    from_report: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="The last audit's JSON report (launchready audit --format json -o FILE): "
            "adds its open risks and the exposed secrets to rotate.",
        ),
    ] = None,
    *,
    opts: Common,
) -> None:
    """The one-page handover: owners, secrets, deploy and rollback, incident note, risks."""
    loaded = load_manifest(manifest)
    report = read_report(from_report) if from_report is not None else None
    page = build_handover(loaded, report, datetime.now(UTC))
    match opts.format:
        case Format.HTML | Format.PDF:
            text = html(page)
        case Format.JSON:
            text = json.dumps(page.to_json(), indent=2, default=str)
        case Format.TEXT | Format.MD:
            text = markdown(page)
        case _:
            raise InputError(f"handover writes text, md, html, pdf or json, not {opts.format}")
    write_output(text, opts, what="handover", one_page=True)


def read_report(path: Path) -> Report:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--from {path}: {exc.strerror}") from None
    try:
        return report_from_json(text)
    except InputError as exc:
        raise InputError(f"--from {path}: {exc}") from None
