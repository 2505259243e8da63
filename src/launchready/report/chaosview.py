"""The chaos deliverable (``extras["chaos"]``) for the terminal, Markdown and HTML."""

from __future__ import annotations

from rich.console import RenderableType

from launchready.findings import Report


def chaos_view(report: Report) -> object | None:
    """What the HTML template ``chaos.html.j2`` shows, or None when there is nothing."""
    return None


def chaos_text(report: Report) -> list[RenderableType]:
    return []


def chaos_markdown(report: Report) -> list[str]:
    return []


__all__ = ["chaos_markdown", "chaos_text", "chaos_view"]
