"""Exit codes, and the one place exceptions become messages instead of tracebacks."""

from __future__ import annotations

import logging
import sys
from enum import IntEnum

import typer

from launchready.errors import InputError, LaunchreadyError

log = logging.getLogger("launchready")


class Exit(IntEnum):
    """The exit codes of cli.md."""

    CLEAN = 0
    FINDINGS = 1
    BAD_INPUT = 2
    TOOL_FAILED = 3


def run_command(app: typer.Typer) -> int:
    """Run the Typer app and map every outcome to an exit code with one clear message.

    Usage errors (unknown option, bad value) are the CLI library's to print; it exits 2.
    Commands end with ``typer.Exit(code)``; our own exceptions become one line on stderr.
    """
    try:
        app(prog_name="launchready")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except InputError as exc:
        print(f"launchready: {exc}", file=sys.stderr)
        return Exit.BAD_INPUT
    except LaunchreadyError as exc:
        print(f"launchready: {exc}", file=sys.stderr)
        return Exit.TOOL_FAILED
    except KeyboardInterrupt:
        print("launchready: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        log.debug("unexpected failure", exc_info=True)
        print(
            f"launchready: internal error{_where(exc)}: {type(exc).__name__}: {exc}\n"
            "This is a bug in launchready; run again with -v for the traceback.",
            file=sys.stderr,
        )
        return Exit.TOOL_FAILED
    return Exit.CLEAN


def _where(exc: BaseException) -> str:
    tb = exc.__traceback__
    frame = None
    while tb is not None:
        frame = tb
        tb = tb.tb_next
    if frame is None:
        return ""
    code = frame.tb_frame.f_code
    return f" in {code.co_name} ({code.co_filename.rsplit('/', 2)[-1]}:{frame.tb_lineno})"
