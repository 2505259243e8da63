"""The staging store's releases: one folder per release behind a ``current`` symlink.

This is how many hosts lay out deploys (Capistrano, Deployer, a hand-rolled VPS): every
release is unpacked into ``releases/<name>`` and the live one is whatever ``current``
points at, so a deploy or a rollback is one ``ln -sfn`` and needs no restart. The staging
store re-reads ``releases/current/release.json`` on every request, so the switch takes
effect at once.

``v1`` and ``v2`` are past releases, ``v2`` live when the demo starts. The next release
exists twice: ``v3`` as it should be, and ``v3-bad``, which renamed its ``payments``
settings to ``payments_v2`` while the checkout code still reads ``payments``, so every
checkout answers 500: the classic bad release only a smoke test catches. The drill's
commands run from the manifest's folder (relative paths, plain POSIX ``ln``):

- flawed: deploy ``ln -sfn v3-bad releases/current`` (``smoke.step-failed`` after it),
  roll back ``ln -sfn previous releases/current``, which exits 0, but no deploy ever
  made a ``releases/previous``: ``current`` dangles and staging serves nothing (503 on
  every path, ``deploy.rollback-failed``);
- fixed: deploy ``ln -sfn v3 releases/current``, roll back ``ln -sfn v2
  releases/current``, the last good release by name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RELEASES_DIR = "releases"
CURRENT = "current"
GOOD = "v2"
"""The release staging runs when the demo starts, and the one a working rollback restores."""
NEXT = "v3"
"""The next release as it should be: what the fixed drill deploys."""
BAD = "v3-bad"
"""The next release with its checkout broken: what the flawed drill deploys."""
MISSING_PREVIOUS = "previous"
"""What the flawed rollback points ``current`` at: a release name nothing ever created."""
RELEASE_FILE = "release.json"
_PAYMENTS = {"provider": "stripe", "mode": "test", "currency": "usd"}
_RELEASES: dict[str, dict[str, Any]] = {
    "v1": {"version": "v1", "released": "2024-02-12", "payments": _PAYMENTS},
    "v2": {"version": "v2", "released": "2024-02-26", "payments": _PAYMENTS},
    "v3": {"version": "v3", "released": "2024-03-04", "payments": _PAYMENTS},
    # The bad release: settings renamed, checkout code not updated.
    "v3-bad": {"version": "v3", "released": "2024-03-04", "payments_v2": _PAYMENTS},
}


@dataclass(frozen=True)
class Release:
    """The release staging serves right now, as its ``release.json`` describes it."""

    name: str
    """The folder ``current`` resolves to (``v2``)."""
    version: str
    payments: dict[str, Any] | None
    """Checkout's settings; None in the bad release, whose checkout then fails."""


def write_releases(workdir: Path) -> Path:
    """Create ``releases/v1``, ``v2``, ``v3``, ``v3-bad`` and ``current -> v2``; returns
    the folder."""
    folder = workdir / RELEASES_DIR
    for name, data in _RELEASES.items():
        (folder / name).mkdir(parents=True)
        text = json.dumps(data, indent=2) + "\n"
        (folder / name / RELEASE_FILE).write_text(text, encoding="utf-8")
    os.symlink(GOOD, folder / CURRENT, target_is_directory=True)
    return folder


def read_current(folder: Path) -> Release | None:
    """The release ``folder/current`` points at, or None when it points at nothing usable
    (a dangling link, a folder without a readable ``release.json``)."""
    link = folder / CURRENT
    try:
        target = Path(os.path.realpath(link))
        data = json.loads((target / RELEASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    payments = data.get("payments")
    return Release(
        name=target.name,
        version=str(data.get("version", target.name)),
        payments=payments if isinstance(payments, dict) else None,
    )


def drill_commands(fixed: bool) -> tuple[str, str]:
    """``deploy.drill``'s (deploy, rollback) shell commands, run from the manifest's folder."""
    link = f"{RELEASES_DIR}/{CURRENT}"
    deploy_to, rollback_to = (NEXT, GOOD) if fixed else (BAD, MISSING_PREVIOUS)
    return f"ln -sfn {deploy_to} {link}", f"ln -sfn {rollback_to} {link}"
