"""The one way launchready builds a Jinja environment for its HTML pages (the report, the
monitor's dashboard and status page, the handover): autoescaping on, undefined names an
error rather than an empty string, and every interpolated string stripped of control
characters before it is escaped, so text from a hostile server cannot shape the page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def html_environment(
    package: str, filters: Mapping[str, Callable[..., Any]] | None = None
) -> Environment:
    """An environment over ``package``'s ``templates`` folder."""
    # Imported here: the report package's own HTML builds on this module, so a top-level
    # import would make whichever of the two loads first find the other half-initialised.
    from launchready.report.common import clean

    def finalize(value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value

    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters.update(filters or {})
    return env
