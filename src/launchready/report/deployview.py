"""The deploy deliverable (``extras["deploy"]``) for the terminal, Markdown and HTML.

``deploy check`` lists the builds it ran (the clean one, then any rebuild of the
diagnosis) and the artifacts it scanned; ``deploy drill`` lists its four steps and the
number the founder needs: how long the rollback plus its smoke took, against the budget.
Read defensively like the other views (a report may be re-rendered from edited JSON); the
commands and output were redacted before they reached the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text

from launchready.findings import JSONValue, Report
from launchready.report.common import mappings, one_line, shown
from launchready.report.textblocks import plain_table, section, spaced

DELIVERABLE = "deploy"
BAR_WIDTH = 480
BAR_HEIGHT = 22


@dataclass(frozen=True)
class StepRow:
    name: str
    command: str
    ok: bool
    outcome: str
    seconds: str
    log: str


@dataclass(frozen=True)
class RollbackBar:
    """Rollback plus smoke against the budget, as an inline SVG bar's geometry."""

    seconds: float
    budget: float
    ok: bool
    within: bool
    width: int
    used: int
    """Pixels of the measured time; the budget mark sits at ``budget_at``."""
    budget_at: int

    @property
    def budget_text(self) -> str:
        return human(self.budget)

    @property
    def label(self) -> str:
        verdict = "within" if self.within else "over"
        return f"{human(self.seconds)} of a {human(self.budget)} budget ({verdict})"


@dataclass(frozen=True)
class DeployView:
    title: str
    summary: str
    steps: tuple[StepRow, ...]
    log_dir: str
    rollback: RollbackBar | None
    artifacts: tuple[tuple[str, str], ...]


def human(seconds: float) -> str:
    """``4.2 s``, ``12 min``: the unit a person reads a rollback time in."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def _number(value: JSONValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _step(entry: Mapping[str, JSONValue]) -> StepRow:
    ok = entry.get("ok") is True
    seconds = _number(entry.get("seconds"))
    if entry.get("timed_out") is True:
        outcome = "killed at limit"
    elif ok:
        outcome = "ok"
    else:
        code = entry.get("exit_code")
        outcome = "failed" if code is None else f"failed (exit {shown(code)})"
    return StepRow(
        name=shown(entry.get("name"), "-"),
        command=shown(entry.get("command"), "-"),
        ok=ok,
        outcome=outcome,
        seconds="-" if seconds is None else f"{seconds:.1f} s",
        log=shown(entry.get("log"), "-"),
    )


def _rollback(raw: Mapping[str, JSONValue]) -> RollbackBar | None:
    seconds, budget = _number(raw.get("rollback_seconds")), _number(raw.get("budget"))
    if seconds is None or budget is None or budget <= 0:
        return None
    scale = BAR_WIDTH / max(seconds, budget)
    return RollbackBar(
        seconds=seconds,
        budget=budget,
        ok=raw.get("rollback_ok") is True,
        within=seconds <= budget,
        width=BAR_WIDTH,
        used=max(1, round(seconds * scale)),
        budget_at=round(budget * scale),
    )


def deploy_view(report: Report) -> DeployView | None:
    """What the HTML template ``deploy.html.j2`` shows, or None when there is nothing."""
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, Mapping):
        return None
    steps = tuple(_step(s) for s in mappings(raw.get("steps")))
    drill = raw.get("kind") == "drill"
    rollback = _rollback(raw) if drill else None
    if drill:
        title = f"Deploy drill on {shown(raw.get('base_url'), 'staging')}"
        if rollback is None:
            summary = "The rollback was not measured."
        else:
            state = (
                "brought back a passing store"
                if rollback.ok
                else "did NOT bring back a passing store"
            )
            summary = f"Rollback + smoke: {rollback.label}; the rollback {state}."
    else:
        commit = shown(raw.get("commit"), "HEAD")[:12]
        first = steps[0] if steps else None
        verdict = "passed" if first is not None and first.ok else "failed"
        title = "Deploy check: clean-clone build"
        summary = f"The build of {commit} in a clean clone {verdict}"
        diagnosis = raw.get("diagnosis")
        if isinstance(diagnosis, Mapping) and diagnosis.get("explanation"):
            summary += f": {one_line(str(diagnosis.get('explanation')))}"
        summary += "."
    artifacts = tuple(
        (shown(a.get("path"), "-"), shown(a.get("files"), "0"))
        for a in mappings(raw.get("artifacts"))
    )
    return DeployView(title, summary, steps, shown(raw.get("log_dir")), rollback, artifacts)


def deploy_text(report: Report) -> list[RenderableType]:
    view = deploy_view(report)
    if view is None:
        return []
    parts: list[RenderableType] = [Text(view.summary)]
    table = plain_table()
    table.add_column("step", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("command", ratio=1, overflow="fold")
    for s in view.steps:
        table.add_row(
            Text(s.name),
            Text(s.outcome, "green" if s.ok else "bold red"),
            Text(s.seconds),
            Text(s.command),
        )
    parts.append(spaced(table))
    for path, files in view.artifacts:
        parts.append(Text(f"Scanned {path}: {files} files"))
    if view.log_dir:
        parts.append(Text(f"Step logs: {view.log_dir}", "dim"))
    return [section(view.title, *parts)]


def deploy_markdown(report: Report) -> list[str]:
    from launchready.report.markdown import md  # markdown.py imports this module

    view = deploy_view(report)
    if view is None:
        return []
    lines = [f"## {md(view.title)}", "", md(view.summary), ""]
    lines += ["| Step | Result | Time | Command | Log |", "|---|---|---:|---|---|"]
    for s in view.steps:
        result = s.outcome if s.ok else f"**{s.outcome}**"
        lines.append(
            f"| {md(s.name)} | {md(result) if s.ok else result} | {s.seconds} "
            f"| `{_code(s.command)}` | `{_code(s.log)}` |"
        )
    lines.append("")
    for path, files in view.artifacts:
        lines.append(f"- Scanned `{_code(path)}`: {md(files)} files")
    if view.artifacts:
        lines.append("")
    return lines


def _code(text: str) -> str:
    return text.replace("`", "'").replace("|", "\\|")


__all__ = ["DeployView", "deploy_markdown", "deploy_text", "deploy_view", "human"]
