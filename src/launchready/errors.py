"""Every exception launchready raises on purpose, in one place.

The tree, and the exit code each one maps to at the command line::

    LaunchreadyError                 base of everything below
    ├── InputError                   exit 2: the user's input is wrong; one clear message
    │   ├── ManifestError            the manifest: file, line and field are known
    │   └── DurationError            a duration string such as "5 mins"
    ├── CheckError                   a check could not run (becomes a CheckAttempt error)
    │   ├── CheckTimeout             a network operation exceeded --timeout
    │   ├── ConnectivityError        a connection failed in a way that is not itself the finding
    │   └── CheckConfigError         the manifest's description does not fit what the store answers
    └── ToolError                  exit 3: launchready itself failed (a bug, a broken demo)

A *finding* is never an exception: checks return findings. Exceptions are for the cases
where launchready cannot say anything about the store.
"""

from __future__ import annotations

from pathlib import Path


class LaunchreadyError(Exception):
    """Base class of every deliberate launchready error."""


class InputError(LaunchreadyError):
    """The user gave us something we cannot use; the message says what and where."""


class ManifestError(InputError):
    """The manifest is missing or invalid, with the place it went wrong.

    ``str()`` gives the one-line message the CLI prints: ``file:line: field: problem``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.field = field
        self.problem = message
        super().__init__(self._format())

    def _format(self) -> str:
        place = str(self.path) if self.path is not None else "<manifest>"
        if self.line is not None:
            place = f"{place}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{place}:{field} {self.problem}"


class DurationError(InputError):
    """A duration such as ``--timeout 5 mins`` that is not ``<number><unit>``."""


class CheckError(LaunchreadyError):
    """A check could not be carried out; recorded as a CheckAttempt error, never a finding."""

    kind = "bug"


class CheckTimeout(CheckError):
    """A network operation took longer than the per-operation timeout."""

    kind = "timeout"


class ConnectivityError(CheckError):
    """The network failed in a way that says nothing about the store itself."""

    kind = "connectivity"


class CheckConfigError(CheckError):
    """The manifest describes something the store does not do (a JSONPath that finds no
    reply); only discovered by asking, so not a ManifestError."""

    kind = "config"


class ToolError(LaunchreadyError):
    """launchready itself failed; exit code 3."""
