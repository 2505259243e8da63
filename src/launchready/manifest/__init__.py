"""The site manifest (``launchready.yaml``): schema and loader."""

from __future__ import annotations

from launchready.manifest.loader import load_manifest, parse_manifest
from launchready.manifest.models import (
    OWNER_ROLES,
    Chatbot,
    Manifest,
    Network,
    Route,
    split_nameserver,
)

__all__ = [
    "OWNER_ROLES",
    "Chatbot",
    "Manifest",
    "Network",
    "Route",
    "load_manifest",
    "parse_manifest",
    "split_nameserver",
]
