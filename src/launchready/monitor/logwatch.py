"""The monitor's eye on real traffic: ``logs.access`` followed, judged over 5 minutes.

Two checks come of it, decided and alerted exactly like the probes (two failed verdicts
in a row open one incident, recovery closes it): ``logs 5xx-spike`` fails while the last
5 minutes hold at least 20 requests of which at least 5% answered 5xx (the window rule of
``logs.error-spike``), and ``logs slow-responses`` fails while a route template's p95 over
the last 5 minutes exceeds its budget on at least 50 requests (``logs.slow-endpoint``'s
rule). The audit and the monitor share the parsers, the templates and the budgets, so a
line means the same to both.

Only the live file of each setting is followed (``access.log``, not ``access.log.1`` or
``.gz`` rotations: :mod:`.logfollow` reads a renamed file's last lines itself). A file
the monitor has never seen is read from its end, so a first start judges new traffic, not
last month's; a file that appears later (logrotate's new ``access.log``) from its start.
Positions and line counts go to the store after each read, so a restart goes on where the
last run stopped.
"""

from __future__ import annotations

import glob
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from launchready.logs.chunk import split_lines
from launchready.logs.detect import SAMPLE_LINES, Layout, detect
from launchready.logs.findings import SLOW_MIN_REQUESTS
from launchready.logs.formats import parse
from launchready.logs.sources import expand, is_gzip
from launchready.logs.stats import SPIKE_MIN_REQUESTS, SPIKE_RATE, WINDOW_MS
from launchready.logs.templates import RouteMap, with_keys
from launchready.manifest import Route
from launchready.monitor.logfollow import Follower, Position
from launchready.monitor.plan import SLOW_CHECK, SPIKE_CHECK
from launchready.monitor.store import LogMark, Store
from launchready.smoke.steps import StepResult

SHOWN_ROUTES = 5
"""Route templates named in a verdict's conditions at most (the worst first)."""
ROTATED_NAME = re.compile(
    r"(?:[.-]\d+)(?:\.(?:gz|bz2|xz|zst))?$|\.(?:gz|bz2|xz|zst)$", re.IGNORECASE
)
"""``access.log.1``, ``access.log-20261126``, ``access.log.2.gz``: rotations, not followed."""
GONE = Position(0, 0, 0)
"""Saved for a path whose file was renamed away with no new one yet: read the next file
from its start."""
WINDOW_SCHEMA: Mapping[str, pl.DataType] = {
    "ts": pl.Int64(),
    "key": pl.String(),
    "status": pl.Int16(),
    "dur": pl.Float64(),
}


@dataclass
class _Followed:
    follower: Follower
    lines: int
    layout: Layout | None = None


class LogWatch:
    """The followed access logs and the requests of the last 5 minutes.

    :meth:`poll` blocks on files and the store: call it in a worker thread. Calls from
    several threads take turns.
    """

    def __init__(
        self,
        specs: Sequence[str],
        base: Path,
        routes: Sequence[Route],
        store: Store,
        region: str,
    ) -> None:
        self.specs = tuple(specs)
        self._base = base
        self._routes = RouteMap(routes)
        self._store = store
        self._region = region
        self._files: dict[str, _Followed] = {}
        self._window = pl.DataFrame(schema=WINDOW_SCHEMA)
        self._lock = threading.Lock()
        self._started = False

    @property
    def target(self) -> str:
        return ", ".join(self.specs)

    def close(self) -> None:
        with self._lock:
            for followed in self._files.values():
                followed.follower.close()

    def live_paths(self) -> list[Path]:
        """The files followed now: each plain setting as written (even before it exists),
        and the members of globs and folders that are not rotations."""
        paths: list[Path] = []
        for spec in self.specs:
            raw = os.path.expanduser(spec)
            path = Path(raw) if os.path.isabs(raw) else self._base / raw
            if not glob.has_magic(str(path)) and not path.is_dir():
                paths.append(path)
                continue
            for member in expand(spec, "access", self._base).files:
                if not ROTATED_NAME.search(member.name) and not is_gzip(member):
                    paths.append(member)
        return list(dict.fromkeys(paths))

    def poll(self, now: datetime) -> int:
        """Read what every followed file got since the last call; the lines read."""
        with self._lock:
            self._follow_new(self.live_paths())
            now_ms = int(now.timestamp() * 1000)
            frames: list[pl.DataFrame] = []
            marks: list[LogMark] = []
            read = 0
            for path, followed in self._files.items():
                data = followed.follower.read_bytes()
                if not data:
                    continue
                lines = split_lines(data)
                read += len(lines)
                followed.lines += len(lines)
                frames.append(self._requests(followed, lines, now_ms))
                marks.append(LogMark(path, followed.follower.position or GONE, followed.lines))
            self._window = _recent(pl.concat([self._window, *frames]), now_ms)
            self._store.save_log_marks(self._region, marks, now)
            return read

    def _follow_new(self, paths: list[Path]) -> None:
        fresh = [p for p in paths if str(p) not in self._files]
        saved = self._store.log_marks(self._region) if fresh else {}
        for path in fresh:
            mark = saved.get(str(path))
            position = mark.position if mark is not None and mark.position != GONE else None
            follower = Follower(path, position)
            if mark is None and not self._started:
                follower.start_at_end()
            self._files[str(path)] = _Followed(follower, mark.lines if mark is not None else 0)
        self._started = True

    def _requests(self, followed: _Followed, lines: pl.Series, now_ms: int) -> pl.DataFrame:
        if followed.layout is None:
            followed.layout = detect(lines.head(SAMPLE_LINES).to_list())
            if followed.layout is None:
                return pl.DataFrame(schema=WINDOW_SCHEMA)
        records = parse(lines, followed.layout, None).filter(pl.col("status").is_not_null())
        keyed = with_keys(records.select("ts", "method", "path", "status", "dur"))
        return keyed.select(
            [pl.col("ts").fill_null(now_ms)]
            + [pl.col(name).cast(dtype) for name, dtype in WINDOW_SCHEMA.items() if name != "ts"]
        )

    def recent(self, now: datetime) -> pl.DataFrame:
        """The requests of the 5 minutes before ``now``."""
        with self._lock:
            return _recent(self._window, int(now.timestamp() * 1000))

    def spike(self, now: datetime) -> StepResult:
        """``logs 5xx-spike``: at least 5% 5xx among at least 20 requests in 5 minutes."""
        window = self.recent(now)
        total = window.height
        errors = int(window.select((pl.col("status") >= 500).sum()).item() or 0)
        if total < SPIKE_MIN_REQUESTS:
            condition = (
                f"[5XX_RATE] (not judged: {total} requests in 5m, "
                f"{SPIKE_MIN_REQUESTS} needed) < {SPIKE_RATE:.0%}"
            )
            return self._verdict(SPIKE_CHECK, (condition,), (), total, errors)
        rate = errors / total
        condition = (
            f"[5XX_RATE] ({rate:.1%}: {errors} of {total} requests in 5m) < {SPIKE_RATE:.0%}"
        )
        failed = (condition,) if rate >= SPIKE_RATE else ()
        return self._verdict(SPIKE_CHECK, (condition,), failed, total, errors)

    def slow(self, now: datetime) -> StepResult:
        """``logs slow-responses``: a template's p95 over its budget on 50+ requests."""
        window = self.recent(now)
        judged = (
            window.filter(pl.col("dur").is_not_null())
            .group_by("key")
            .agg(pl.len().alias("n"), pl.col("dur").quantile(0.95, "linear").alias("p95"))
            .filter(pl.col("n") >= SLOW_MIN_REQUESTS)
        )
        rows = [
            (str(r["key"]), int(r["n"]), float(r["p95"]), self._routes.budget_ms(str(r["key"])))
            for r in judged.iter_rows(named=True)
        ]
        rows.sort(key=lambda r: r[2] / r[3], reverse=True)
        conditions = tuple(
            f"[P95] {key} ({p95:,.0f} ms over {n} requests in 5m) <= {budget:,.0f} ms"
            for key, n, p95, budget in rows[:SHOWN_ROUTES]
        )
        failed = tuple(c for c, row in zip(conditions, rows, strict=False) if row[2] > row[3])
        if not rows:
            conditions = (
                f"[P95] (not judged: no route template with {SLOW_MIN_REQUESTS} timed "
                "requests in 5m) <= budget",
            )
        errors = int(window.select((pl.col("status") >= 500).sum()).item() or 0)
        return self._verdict(SLOW_CHECK, conditions, failed, window.height, errors)

    def _verdict(
        self,
        name: str,
        conditions: tuple[str, ...],
        failed: tuple[str, ...],
        requests: int,
        errors: int,
    ) -> StepResult:
        return StepResult(
            name,
            "logs",
            self.target,
            ok=not failed,
            conditions=conditions,
            failed=failed,
            evidence={"requests": requests, "errors": errors},
        )


def _recent(window: pl.DataFrame, now_ms: int) -> pl.DataFrame:
    return window.filter(pl.col("ts") > now_ms - WINDOW_MS)


__all__ = ["LogWatch"]
