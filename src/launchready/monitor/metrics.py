"""``/metrics``: the monitor in Prometheus' text format, for teams that already graph.

Read from the store at scrape time (a custom collector, so several regions' monitors
export the same shared truth), plus this process's own schedule: probes run and the p99 of
how late they started.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from launchready.monitor.overview import Overview

DRIFT_KEPT = 10_000
"""Runs whose drift the p99 is taken over."""


class Stats:
    """This process's schedule: how many probes ran and how late each started."""

    def __init__(self) -> None:
        self.probes = 0
        self._drifts: deque[float] = deque(maxlen=DRIFT_KEPT)

    def ran(self, drift_s: float) -> None:
        self.probes += 1
        self._drifts.append(drift_s)

    def drift_quantile(self, quantile: float) -> float | None:
        if not self._drifts:
            return None
        ordered = sorted(self._drifts)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


class MonitorCollector(Collector):
    def __init__(self, read: Callable[[], Overview], stats: Stats, region: str) -> None:
        self._read = read
        self._stats = stats
        self._region = region

    def collect(self) -> Iterator[Metric]:
        view = self._read()
        labels = ["check", "kind"]
        up = GaugeMetricFamily(
            "launchready_check_up", "1 if the latest probe passed, 0 if not", labels=labels
        )
        incident = GaugeMetricFamily(
            "launchready_check_incident_open",
            "1 while the check has an open incident",
            labels=labels,
        )
        uptime = GaugeMetricFamily(
            "launchready_check_uptime_percent",
            "Probes that passed, percent, per window",
            labels=[*labels, "window"],
        )
        p95 = GaugeMetricFamily(
            "launchready_check_latency_p95_ms", "p95 latency over the last 24 hours", labels=labels
        )
        for check in view.checks:
            names = [check.name, check.kind]
            if check.latest_ok is not None:
                up.add_metric(names, 1.0 if check.latest_ok else 0.0)
            incident.add_metric(names, 0.0 if check.incident_since is None else 1.0)
            for window, percent in check.uptime.items():
                if percent is not None:
                    uptime.add_metric([*names, window], percent)
            if check.p95_ms is not None:
                p95.add_metric(names, check.p95_ms)
        yield from (up, incident, uptime, p95)
        certificate = GaugeMetricFamily(
            "launchready_certificate_days_left",
            "Days until the certificate expires",
            labels=["host"],
        )
        for check in view.checks:
            if check.kind == "certificate" and check.value is not None:
                certificate.add_metric([check.target], check.value)
        yield certificate
        yield _timestamps(
            "launchready_heartbeat_last_ping_timestamp_seconds",
            "When the job last pinged",
            "heartbeat",
            view.heartbeats,
        )
        yield _timestamps(
            "launchready_region_last_report_timestamp_seconds",
            "When the region's monitor last reported",
            "region",
            view.regions,
        )
        channel = GaugeMetricFamily(
            "launchready_channel_healthy",
            "1 if the channel's last delivery got through",
            labels=["channel"],
        )
        for row in view.channels:
            channel.add_metric([row.channel], 1.0 if row.healthy else 0.0)
        yield channel
        lines = CounterMetricFamily(
            "launchready_log_lines_read",
            "Lines the monitor has read from each followed log file",
            labels=["region", "path"],
        )
        for (region, path), count in sorted(view.log_lines.items()):
            lines.add_metric([region, path], float(count))
        yield lines
        probes = CounterMetricFamily(
            "launchready_probes", "Probes run by this monitor process", labels=["region"]
        )
        probes.add_metric([self._region], float(self._stats.probes))
        yield probes
        drift = self._stats.drift_quantile(0.99)
        if drift is not None:
            yield GaugeMetricFamily(
                "launchready_schedule_drift_p99_seconds",
                "p99 of how late this process started its probes (last 10,000)",
                value=drift,
            )


def _timestamps(name: str, doc: str, label: str, values: dict[str, datetime]) -> Metric:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, at in sorted(values.items()):
        family.add_metric([key], at.timestamp())
    return family


def registry(read: Callable[[], Overview], stats: Stats, region: str) -> CollectorRegistry:
    collected = CollectorRegistry(auto_describe=False)
    collected.register(MonitorCollector(read, stats, region))
    return collected
