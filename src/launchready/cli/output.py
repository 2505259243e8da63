"""Writing the report where the user asked, and choosing the exit code from it."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from launchready.cli.exits import Exit
from launchready.cli.options import Common
from launchready.errors import InputError
from launchready.findings import Report
from launchready.pdf import html_to_pdf
from launchready.report import Format, render


def emit(report: Report, opts: Common) -> int:
    """Render ``report`` to stdout or ``--output`` and return the exit code for it."""
    width = shutil.get_terminal_size((100, 24)).columns if opts.color else 100
    text = render(report, opts.format, color=opts.color, width=width, fail_on=opts.fail_on)
    write_output(text, opts)
    return Exit.FINDINGS if report.fails(opts.fail_on) else Exit.CLEAN


def write_output(text: str, opts: Common, what: str = "report", *, one_page: bool = False) -> None:
    """``text`` to stdout, or to ``--output``; with ``--format pdf`` the text is HTML and
    the file gets it printed to PDF (``one_page``: scaled to fit one sheet)."""
    if opts.format is Format.PDF:
        if opts.output is None:
            raise InputError("--format pdf writes a file: add -o FILE.pdf")
        data = asyncio.run(html_to_pdf(text, one_page=one_page))
        _write(opts, what, lambda path: path.write_bytes(data))
        return
    if opts.output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    _write(opts, what, lambda path: path.write_text(text, encoding="utf-8"))


def _write(opts: Common, what: str, write: Callable[[Path], object]) -> None:
    assert opts.output is not None
    try:
        write(opts.output)
    except OSError as exc:
        raise InputError(f"cannot write the {what} to {opts.output}: {exc.strerror}") from None
    if not opts.quiet:
        print(f"launchready: {what} written to {opts.output}", file=sys.stderr)
