"""Accepted matches: a JSON file of fingerprints, safe to commit.

A fingerprint covers the rule, the path and a keyed hash of the value, and never the line
(an edit above the key must not resurrect it) nor the value itself (the baseline is
committed; a plain hash of a short key could be brute-forced). The same key in the
working tree and in history has one fingerprint, so accepting it once accepts both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready.errors import InputError
from launchready.secrets.matcher import Match, keyed_hash

BASELINE_VERSION = 1


def fingerprint(match: Match) -> str:
    """sha256 over rule id, path and the keyed hash of the value."""
    payload = json.dumps([match.rule_id, match.path, keyed_hash(match.secret)])
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Baseline:
    """Fingerprint -> what a human needs to recognise the entry (rule and path)."""

    entries: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """A missing file accepts nothing; a file we cannot read is the user's to fix."""
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a launchready secrets baseline ({exc})") from exc
        try:
            items = raw["entries"]
            if raw.get("version") != BASELINE_VERSION or not isinstance(items, list):
                raise TypeError("unknown version")
            entries = {str(e["fingerprint"]): (str(e["rule"]), str(e["path"])) for e in items}
        except (TypeError, KeyError, AttributeError) as exc:
            raise InputError(f"{path}: not a launchready secrets baseline ({exc})") from exc
        return cls(entries)

    def __contains__(self, match: object) -> bool:
        return isinstance(match, Match) and fingerprint(match) in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def updated(self, matches: Iterable[Match]) -> Baseline:
        """A baseline accepting exactly ``matches``: entries whose key is gone (fixed)
        drop out, so the file never grows stale."""
        return Baseline({fingerprint(m): (m.rule_id, m.path) for m in matches})

    def save(self, path: Path) -> None:
        """Sorted JSON (stable diffs in review); never the value nor its line."""
        items = sorted(
            (
                {"fingerprint": fp, "rule": rule, "path": where}
                for fp, (rule, where) in self.entries.items()
            ),
            key=lambda e: (e["path"], e["rule"], e["fingerprint"]),
        )
        text = json.dumps({"version": BASELINE_VERSION, "entries": items}, indent=2)
        path.write_text(text + "\n", encoding="utf-8")


__all__ = ["BASELINE_VERSION", "Baseline", "fingerprint"]
