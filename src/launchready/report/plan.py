"""The 48-hour launch sequence, derived from a report.

The roadmap splits the launch sprint into five windows (hour 0 to 6: audit, DNS ownership,
blocker list; ... hour 40 to 48: monitoring, handover notes, final validation). A finding
goes to the window of its roadmap stage, except that every blocker goes first, into hour 0
to 6, because the roadmaps fix blockers before touching anything else. Low and info
findings are not worth a launch-window slot: they are listed as "after launch".

The plan is plain data so the HTML, Markdown and text renderers and the ``handover``
command all show the same sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchready.findings import AttemptStatus, Finding, Report, Severity, Stage
from launchready.report.common import not_run_grouped, ordered

FINAL_VALIDATION = (
    "Final validation: run `launchready audit` again; launch only when it reports "
    "no blocker and no high finding."
)


@dataclass(frozen=True)
class PlanItem:
    """One fix to make, with what a founder needs to recognise it in the risk list."""

    id: str
    severity: Severity
    title: str
    target: str
    stage: Stage
    fix: str
    fingerprint: str
    verify: str
    """The command that proves the fix worked."""

    @classmethod
    def of(cls, finding: Finding) -> PlanItem:
        return cls(
            id=finding.id,
            severity=finding.severity,
            title=finding.title,
            target=finding.target,
            stage=finding.stage,
            fix=finding.fix,
            fingerprint=finding.fingerprint,
            verify=verify_command(finding.id),
        )


_VERIFY = {
    "secrets.in-history": "launchready secrets scan --history",
    "secrets.in-frontend": "launchready audit --only secrets",
    "secrets.in-build": "launchready deploy check",
    "deploy.build-not-reproducible": "launchready deploy check",
    "deploy.rollback-failed": "launchready deploy drill",
    "deploy.rollback-slow": "launchready deploy drill",
    "chatbot.slow": "launchready smoke",
    "chatbot.unavailable": "launchready smoke",
}
_VERIFY_AREA = {
    "secrets": "launchready secrets scan",
    "env": "launchready env check",
    "chatbot": "launchready redteam",
    "smoke": "launchready smoke",
    "logs": "launchready logs",
    "db": "launchready db",
    "deps": "launchready chaos",
}


def verify_command(finding_id: str) -> str:
    """The narrowest command that re-checks ``finding_id``: its own command where it has
    one (``redteam``, ``smoke``, ``secrets scan``, ``env check``, ``chaos``, ``deploy
    check``, ``deploy drill``), else the audit of its
    area alone."""
    area = finding_id.split(".", 1)[0]
    return _VERIFY.get(finding_id) or _VERIFY_AREA.get(area) or f"launchready audit --only {area}"


@dataclass(frozen=True)
class PlanWindow:
    """A slice of the 48 hours: the roadmap's work for it and the findings placed there."""

    start_hour: int
    end_hour: int
    focus: tuple[str, ...]
    """The roadmap's work for this window, e.g. ``("audit", "DNS ownership", ...)``."""
    stages: tuple[Stage, ...]
    """The finding stages that land here (blockers aside)."""
    items: tuple[PlanItem, ...]
    notes: tuple[str, ...] = ()
    """Things to do here that are not findings: unchecked areas, the final validation."""

    @property
    def label(self) -> str:
        return f"Hour {self.start_hour} to {self.end_hour}"

    @property
    def title(self) -> str:
        return f"{self.label}: {', '.join(self.focus)}"


@dataclass(frozen=True)
class LaunchPlan:
    """The whole sequence: five windows, then what can wait until after launch."""

    site: str
    ready: bool
    headline: str
    windows: tuple[PlanWindow, ...]
    after_launch: tuple[PlanItem, ...]

    @property
    def items(self) -> tuple[PlanItem, ...]:
        """Every item placed in a window, in plan order."""
        return tuple(item for window in self.windows for item in window.items)

    @property
    def empty(self) -> bool:
        """True when the audit found nothing at all to schedule."""
        return not self.items and not self.after_launch


_WINDOWS: tuple[tuple[int, int, tuple[str, ...], tuple[Stage, ...]], ...] = (
    (0, 6, ("audit", "current state", "DNS ownership", "blocker list"), (Stage.AUDIT,)),
    (6, 18, ("domain routing", "email authentication", "Cloudflare setup"), (Stage.DOMAIN,)),
    (18, 30, ("production deployment", "secrets review", "rollback path"), (Stage.DEPLOY,)),
    (
        30,
        40,
        ("caching", "TLS verification", "DDoS settings", "smoke tests"),
        (Stage.SECURITY, Stage.PERFORMANCE),
    ),
    (
        40,
        48,
        ("monitoring", "handover notes", "final validation"),
        (Stage.MONITORING, Stage.HANDOVER),
    ),
)

_BY_STAGE = (Severity.HIGH, Severity.MEDIUM)
"""Severities placed by stage; blockers all go first, low and info wait until after launch."""
_IN_WINDOW = (Severity.BLOCKER, *_BY_STAGE)


def build_plan(report: Report) -> LaunchPlan:
    """Place every finding of ``report`` in the 48-hour sequence (report order kept)."""
    findings = ordered(report)
    blockers = [f for f in findings if f.severity is Severity.BLOCKER]
    windows: list[PlanWindow] = []
    for index, (start, end, focus, stages) in enumerate(_WINDOWS):
        first = index == 0
        placed = [f for f in findings if f.severity in _BY_STAGE and f.stage in stages]
        chosen = [*blockers, *placed] if first else placed
        notes = _first_window_notes(report, blockers) if first else []
        if index == len(_WINDOWS) - 1:
            notes.append(FINAL_VALIDATION)
        windows.append(
            PlanWindow(
                start_hour=start,
                end_hour=end,
                focus=focus,
                stages=stages,
                items=tuple(PlanItem.of(f) for f in chosen),
                notes=tuple(notes),
            )
        )
    later = tuple(PlanItem.of(f) for f in findings if f.severity not in _IN_WINDOW)
    return LaunchPlan(
        site=report.site,
        ready=report.ready,
        headline=_headline(report, later),
        windows=tuple(windows),
        after_launch=later,
    )


def _first_window_notes(report: Report, blockers: list[Finding]) -> list[str]:
    notes: list[str] = []
    if blockers:
        notes.append(
            f"Fix the {len(blockers)} blocker(s) first, whatever their stage: "
            "no launch while one remains."
        )
    for status, reason, areas in not_run_grouped(report):
        verb = "was" if len(areas) == 1 else "were"
        what = f"{verb} skipped" if status is AttemptStatus.SKIPPED else "failed to run"
        notes.append(f"Finish the audit: {', '.join(areas)} {what} ({reason}).")
    return notes


def _headline(report: Report, later: tuple[PlanItem, ...]) -> str:
    if not report.findings:
        return (
            "The audit found nothing to fix: follow the sequence as a checklist "
            "and finish with the final validation."
        )
    counts = report.summary
    scheduled = len(report.findings) - len(later)
    text = f"{scheduled} fix(es) scheduled in the 48 hours, {len(later)} after launch."
    if counts["blocker"]:
        text = f"{counts['blocker']} blocker(s) come first, in hours 0 to 6. " + text
    return text
