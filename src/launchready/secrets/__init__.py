"""The secret-scanning engine: rules, matcher, working-tree walker, history, baseline.

Checks, the CLI and the pre-commit hook all go through this package, so a credential is
recognised, redacted and fingerprinted the same way everywhere. A :class:`Match` holds the
clear value in memory only; everything that leaves the process uses ``Match.redacted`` or
:func:`fingerprint`.
"""

from __future__ import annotations

from launchready.secrets.baseline import Baseline, fingerprint
from launchready.secrets.matcher import Match, Scanner
from launchready.secrets.rules import Rule, load_rules

__all__ = ["Baseline", "Match", "Rule", "Scanner", "fingerprint", "load_rules"]
