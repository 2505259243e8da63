"""Filling a chat request template; pure, so the load engine's gevent process can use it
without importing the asyncio side."""

from __future__ import annotations

from typing import Any


def fill_template(value: Any, message: str, session: str) -> Any:
    """``{message}`` and ``{session}`` filled into every string of a body template."""
    if isinstance(value, str):
        return value.replace("{message}", message).replace("{session}", session)
    if isinstance(value, dict):
        return {k: fill_template(v, message, session) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_template(v, message, session) for v in value]
    return value
