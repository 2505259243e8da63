"""Options every command shares (cli.md "Common options"), declared once."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from launchready.durations import parse_duration
from launchready.errors import InputError
from launchready.findings import Severity
from launchready.load.run import LoadOptions
from launchready.report import Format
from launchready.runner import DEFAULT_CONCURRENCY, AuditOptions

ManifestOpt = Annotated[
    Path, typer.Option("--manifest", "-m", help="The site manifest.", show_default=True)
]
OptionalManifestOpt = Annotated[
    Path | None,
    typer.Option(
        "--manifest", "-m", help="The site manifest (default: ./launchready.yaml if present)."
    ),
]
"""For the commands that also work with no manifest (``secrets scan``, ``logs``...)."""
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help="Report format (default: from the -o extension, else text on a terminal, "
        "json otherwise).",
        case_sensitive=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to FILE instead of standard output."),
]
FailOnOpt = Annotated[
    str,
    typer.Option(
        "--fail-on", help="Exit 1 when a finding is at or above: blocker, high, medium, low, never."
    ),
]
TimeoutOpt = Annotated[
    str, typer.Option("--timeout", help="Per network operation, e.g. 10s or 500ms.")
]
ConcurrencyOpt = Annotated[
    int,
    typer.Option("--concurrency", min=1, max=1024, help="Network operations in flight at once."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, only the report.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens to stderr.")]

DEFAULT_MANIFEST = Path("launchready.yaml")
DEFAULT_FAIL_ON = "high"
DEFAULT_TIMEOUT = "10s"
DEFAULT_CONCURRENCY_OPT = DEFAULT_CONCURRENCY
_EXTENSIONS = {
    ".txt": Format.TEXT,
    ".json": Format.JSON,
    ".md": Format.MD,
    ".html": Format.HTML,
    ".htm": Format.HTML,
    ".sarif": Format.SARIF,
    ".xml": Format.JUNIT,
    ".pdf": Format.PDF,
}


@dataclass(frozen=True)
class Common:
    """The parsed common options of one invocation."""

    format: Format
    output: Path | None
    fail_on: Severity | None
    timeout: float
    concurrency: int
    quiet: bool
    verbose: bool
    probe_rate_limits: bool = False
    lighthouse: bool = False
    load: LoadOptions | None = None

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never with NO_COLOR set."""
        return self.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ

    @property
    def show_progress(self) -> bool:
        return not self.quiet and sys.stderr.isatty()

    def audit_options(self) -> AuditOptions:
        return AuditOptions(
            timeout=self.timeout,
            concurrency=self.concurrency,
            probe_rate_limits=self.probe_rate_limits,
            lighthouse=self.lighthouse,
            load=self.load,
        )


def common(
    fmt: Format | None,
    output: Path | None,
    fail_on: str,
    timeout: str,
    concurrency: int,
    quiet: bool,
    verbose: bool,
) -> Common:
    """Validate the shared options; a bad value is an InputError (exit 2)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="launchready: %(levelname)s %(name)s: %(message)s",
    )
    return Common(
        format=fmt or _default_format(output),
        output=output,
        fail_on=parse_fail_on(fail_on),
        timeout=_positive(parse_duration(timeout), "--timeout"),
        concurrency=concurrency,
        quiet=quiet,
        verbose=verbose,
    )


_COMMON_PARAMETERS = (
    ("fmt", FormatOpt, None),
    ("output", OutputOpt, None),
    ("fail_on", FailOnOpt, DEFAULT_FAIL_ON),
    ("timeout", TimeoutOpt, DEFAULT_TIMEOUT),
    ("concurrency", ConcurrencyOpt, DEFAULT_CONCURRENCY_OPT),
    ("quiet", QuietOpt, False),
    ("verbose", VerboseOpt, False),
)
Command = TypeVar("Command", bound=Callable[..., Any])


def with_common_options(command: Command) -> Command:
    """Give a Typer command the options of cli.md "Common options", parsed into the
    ``opts: Common`` parameter the command declares instead: every command spells them the
    same way, and a new common option reaches all of them from here."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "opts"]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, kind, default in _COMMON_PARAMETERS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = [kwargs.pop(name, default) for name, _, default in _COMMON_PARAMETERS]
        return command(*args, opts=common(*values), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def comma_set(text: str | None, option: str, known: tuple[str, ...], noun: str) -> set[str] | None:
    """``--only dns,tls`` as a set of names; None when the option was not given, and an
    unknown name is bad input that lists the valid ones."""
    if text is None:
        return None
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(names - set(known))
    if unknown:
        raise InputError(
            f"{option}: unknown {noun} {', '.join(unknown)}; {noun}s are {', '.join(known)}"
        )
    return names


def parse_fail_on(text: str) -> Severity | None:
    """``never`` disables the threshold; otherwise a severity name."""
    value = text.strip().lower()
    if value == "never":
        return None
    try:
        return Severity(value)
    except ValueError:
        raise InputError(
            f"--fail-on {text!r}: choose one of blocker, high, medium, low, never"
        ) from None


def _default_format(output: Path | None) -> Format:
    if output is not None and output.suffix.lower() in _EXTENSIONS:
        return _EXTENSIONS[output.suffix.lower()]
    return Format.TEXT if sys.stdout.isatty() or output is not None else Format.JSON


def _positive(seconds: float, option: str) -> float:
    if seconds <= 0:
        raise InputError(f"{option} must be longer than zero")
    return seconds
