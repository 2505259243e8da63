"""Log analysis: what real traffic says about the store (checks.md, ``## logs``).

Files, globs, folders and gzip rotations read in chunks (:mod:`.sources`); the format
detected per file from a sample (:mod:`.detect`: nginx/Apache combined, Caddy JSON, JSON
lines, plain-text application logs) and parsed a chunk at a time in polars
(:mod:`.formats`, :mod:`.timefields`, :mod:`.chunk`); URLs grouped into route templates
(:mod:`.templates`); exact per-route percentiles and 5-minute windows (:mod:`.stats`);
credentials and customer data (:mod:`.exposure`); error templates
(:mod:`.errortemplates`); request-ID coverage and the live header check
(:mod:`.requestid`). :func:`analyse` (:mod:`.analyze`) ties them together into a
:class:`LogAnalysis` (:mod:`.model`); :mod:`.findings` turns it into ``logs.*`` findings
and :mod:`.run` is the entry point of the audit area and the command.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "LogAnalysis": "launchready.logs.model",
    "Options": "launchready.logs.model",
    "analyse": "launchready.logs.analyze",
    "analyse_async": "launchready.logs.run",
    "analysis_findings": "launchready.logs.findings",
    "manifest_sources": "launchready.logs.run",
    "not_configured": "launchready.logs.findings",
    "options_for": "launchready.logs.run",
    "path_sources": "launchready.logs.run",
}
"""Where each public name lives. They load on first use (PEP 562), because polars and
drain3 add ~130 ms to the start of every launchready command, and most never read a log."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)


__all__ = sorted(_HOMES)
