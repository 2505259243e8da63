"""The deploy deliverable (``extras["deploy"]``) for the terminal, Markdown and HTML."""

from __future__ import annotations

from rich.console import RenderableType

from launchready.findings import Report


def deploy_view(report: Report) -> object | None:
    """What the HTML template ``deploy.html.j2`` shows, or None when there is nothing."""
    return None


def deploy_text(report: Report) -> list[RenderableType]:
    return []


def deploy_markdown(report: Report) -> list[str]:
    return []


__all__ = ["deploy_markdown", "deploy_text", "deploy_view"]
