"""The live progress display on stderr: one line per area, only on a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from launchready import runner
from launchready.findings import AttemptStatus, CheckAttempt


class RichProgress(runner.Progress):
    """Shows which areas are running and how each one ended, on stderr."""

    def __init__(self) -> None:
        self._console = Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} areas"),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,
        )
        self._overall = self._progress.add_task("auditing", total=0)
        self._running: set[str] = set()

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def start(self, areas: Sequence[str]) -> None:
        self._progress.update(self._overall, total=len(areas))

    def area_started(self, area: str) -> None:
        self._running.add(area)
        self._describe()

    def area_finished(self, attempt: CheckAttempt, findings: int) -> None:
        self._running.discard(attempt.area)
        if attempt.status is AttemptStatus.ERROR:
            self._console.print(f"[yellow]![/] {attempt.area}: {attempt.reason}")
        elif attempt.status is AttemptStatus.RAN:
            noun = "finding" if findings == 1 else "findings"
            self._console.print(
                f"[green]✓[/] {attempt.area}: {findings} {noun} [dim]({attempt.duration_ms} ms)[/]"
            )
        self._progress.advance(self._overall)
        self._describe()

    def _describe(self) -> None:
        running = ", ".join(sorted(self._running)) or "finishing"
        self._progress.update(self._overall, description=f"auditing: {running}")
