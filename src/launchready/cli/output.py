"""Writing the report where the user asked, and choosing the exit code from it."""

from __future__ import annotations

import shutil
import sys

from launchready.cli.exits import Exit
from launchready.cli.options import Common
from launchready.errors import InputError
from launchready.findings import Report
from launchready.report import render


def emit(report: Report, opts: Common) -> int:
    """Render ``report`` to stdout or ``--output`` and return the exit code for it."""
    width = shutil.get_terminal_size((100, 24)).columns if opts.color else 100
    text = render(report, opts.format, color=opts.color, width=width, fail_on=opts.fail_on)
    if opts.output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    else:
        try:
            opts.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the report to {opts.output}: {exc.strerror}") from None
        if not opts.quiet:
            print(f"launchready: report written to {opts.output}", file=sys.stderr)
    return Exit.FINDINGS if report.fails(opts.fail_on) else Exit.CLEAN
