"""Building what an alert says: a title and a body a founder can act on at 3 a.m.

Pure text from a notice and the check it is about; sending is elsewhere. Never a secret:
the caller passes the check's public name and target, never a URL with a token in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from launchready.monitor.decide import Notice


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    failure: bool
    """Alerts and reminders are failures; a recovery is good news (channels colour it)."""


def build(notice: Notice, check: str, target: str, site: str) -> Message:
    since = notice.opened_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    why = "\n".join(f"  {c}" for c in notice.conditions) or "  (no answer)"
    if notice.kind == "recovery":
        return Message(
            f"[{site}] RECOVERED: {check} (down {human(notice.downtime)})",
            f"{check} ({target}) works again.\nDown since {since}, for {human(notice.downtime)}.\n"
            f"What had failed:\n{why}",
            failure=False,
        )
    if notice.kind == "retired":
        return Message(
            f"[{site}] RETIRED: {check} (silent {human(notice.downtime)})",
            f"{check} was retired by an operator: its monitor no longer counts, and its "
            f"silence is no longer an incident.\nSilent since {since}, for "
            f"{human(notice.downtime)}.",
            failure=False,
        )
    prefix = "STILL DOWN" if notice.kind == "reminder" else "DOWN"
    seen = ""
    if notice.regions and notice.regions != ("default",):
        seen = f"\nSeen failing from: {', '.join(notice.regions)}."
    return Message(
        f"[{site}] {prefix}: {check}",
        f"{check} ({target}) is failing since {since} "
        f"({human(notice.downtime)} so far).\nFailed conditions:\n{why}{seen}",
        failure=True,
    )


def human(span: timedelta) -> str:
    """``1h 4m``, ``3m 12s``, ``45s``."""
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {seconds}s"
    return f"{seconds}s"
