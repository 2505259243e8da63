"""The terminal report's building blocks, shared by every section: a plain table and a
titled section. Callers hand Rich plain Text, never markup."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text


def plain_table() -> Table:
    """A borderless table with a bold header, as wide as the terminal."""
    return Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)


def spaced(part: RenderableType) -> Padding:
    """``part`` with one blank line above it, inside a section."""
    return Padding(part, (1, 0, 0, 0))


def section(title: str, *parts: RenderableType) -> Group:
    """A rule with a bold ``title``, then ``parts``, then one blank line."""
    return Group(Rule(Text(title, "bold")), Padding(Group(*parts), (0, 0, 1, 0)))


__all__ = ["plain_table", "section", "spaced"]
