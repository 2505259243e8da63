"""The mail providers ``email.senders`` may name, and the SPF includes that authorize them.

A founder writes ``senders: [google-workspace, sendgrid]`` rather than include names
they would have to look up; the table (``providers.yaml`` beside this module) turns each
name into the includes any one of which proves the provider is authorized. A sender not in
the table is written ``{include: spf.example.net}``. Provider names are a contract with
users' manifests: they are added, never renamed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

import yaml

from launchready.errors import InputError


@dataclass(frozen=True)
class Provider:
    """A sender of the store's mail, as SPF sees it."""

    name: str
    display: str
    includes: tuple[str, ...]
    """Include names, lower case; any one reached in the SPF tree authorizes the provider."""
    docs: str | None = None
    note: str | None = None

    @property
    def include(self) -> str:
        """The include to recommend when none is present."""
        return self.includes[0]


class IncludeSpec(Protocol):
    """``{include: spf.example.net}`` in the manifest (``manifest.models.IncludeSender``)."""

    @property
    def include(self) -> str: ...


@cache
def providers() -> Mapping[str, Provider]:
    """Every known provider by name, in the table's order."""
    text = resources.files("launchready.mail").joinpath("providers.yaml").read_text("utf-8")
    raw: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return {
        name: Provider(
            name=name,
            display=spec["display"],
            includes=tuple(str(i).lower() for i in spec["includes"]),
            docs=spec.get("docs"),
            note=" ".join(str(spec["note"]).split()) if spec.get("note") else None,
        )
        for name, spec in raw.items()
    }


def resolve_sender(value: str | IncludeSpec) -> Provider:
    """The provider a manifest sender names; an unknown name is the user's input error.

    The message lists the valid names and suggests the nearest one, because the likely
    cause is a typo (``sendgird``) and the fix should be one edit away.
    """
    if not isinstance(value, str):
        include = value.include.strip().rstrip(".").lower()
        return Provider(name=f"include:{include}", display=include, includes=(include,))
    known = providers()
    key = value.strip().lower()
    if key in known:
        return known[key]
    nearest = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f" Did you mean {nearest[0]!r}?" if nearest else ""
    raise InputError(
        f"email.senders: unknown mail provider {value!r}.{hint} Known providers: "
        f"{', '.join(known)}; for any other sender write {{include: <its SPF include>}}."
    )
