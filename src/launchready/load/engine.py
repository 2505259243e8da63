"""The Locust side of a load test: run as ``python -m launchready.load.engine ROLE SPEC``.

This module is only ever the main module of its own process: gevent's monkey-patching
comes first, before anything else imports the standard library's sockets. Roles:

- ``local``: one process; the closed model (Locust users with think time and a ramp) or
  the open model (constant arrival, latency measured from each request's intended send
  time, so a slow server cannot hide by slowing the load down: no coordinated omission).
- ``master HOST:PORT WORKERS WAIT_S`` and ``worker HOST:PORT``: Locust's own distributed
  mode. The master waits up to WAIT_S for WORKERS workers; workers send their latency
  histograms with every stats report; the master writes one result. Workers can run on
  other machines: ``python -m launchready.load.engine worker MASTER:PORT spec.json`` there,
  with the spec file ``launchready load --spec-out`` wrote.

Every request is recorded twice: in Locust's statistics (its percentiles are rounded to
10 ms between 100 ms and 1 s, 100 ms above) and in an HDR histogram per target with three
significant digits (0.1 %), from which the report's percentiles come.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import quote  # noqa: E402

import gevent  # noqa: E402
import gevent.pool  # noqa: E402
import gevent.socket  # noqa: E402
from hdrh.histogram import HdrHistogram  # noqa: E402
from locust import FastHttpUser, between, events, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpSession  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.runners import STATE_STOPPED, LocalRunner, MasterRunner  # noqa: E402

from launchready.chat.template import fill_template  # noqa: E402
from launchready.load.scenario import SESSION_SLOT, LoadSpec, Target  # noqa: E402

LOWEST_US, HIGHEST_US, DIGITS = 1, 120_000_000, 3
TIMELINE_SAMPLES = 200
"""Latencies kept per target and second for the over-time chart (the first of each second:
cheap on the hot path, and unbiased enough for a chart at one-second resolution)."""
OPEN_MAX_IN_FLIGHT = 2000


def histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


class Recorder:
    """Every request's latency per target: an HDR histogram, counts, and a per-second
    sample for the chart."""

    def __init__(self) -> None:
        self.histograms: dict[str, HdrHistogram] = defaultdict(histogram)
        self.failures: dict[str, int] = defaultdict(int)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.timeline: dict[str, dict[int, list[float]]] = defaultdict(dict)
        """Per target and wall-clock second (epoch): the first latencies of that second.
        Absolute seconds, so samples from workers on other machines line up."""

    def record(self, name: str, response_time: float, exception: Any = None, **_: Any) -> None:
        """Called for every request: kept cheap (one histogram update, one list append)."""
        micros = int(response_time * 1000)
        self.histograms[name].record_value(
            micros if 0 < micros < HIGHEST_US else (1 if micros <= 0 else HIGHEST_US)
        )
        if exception is not None:
            self.failures[name] += 1
            self.errors[name][str(exception)[:200]] += 1
        seconds = self.timeline[name]
        second = int(time.time())
        samples = seconds.get(second)
        if samples is None:
            seconds[second] = [response_time]
        elif len(samples) < TIMELINE_SAMPLES:
            samples.append(response_time)

    def export(self) -> dict[str, Any]:
        """What a worker sends to the master, and what the result file holds."""
        return {
            name: {
                "hdr": self.histograms[name].encode().decode("ascii"),
                "requests": self.histograms[name].get_total_count(),
                "failures": self.failures[name],
                "errors": dict(self.errors[name]),
                "timeline": {
                    str(s): [round(v, 2) for v in samples]
                    for s, samples in self.timeline[name].items()
                },
            }
            for name in self.histograms
        }

    def merge(self, exported: dict[str, Any]) -> None:
        for name, data in exported.items():
            self.histograms[name].add(HdrHistogram.decode(data["hdr"].encode("ascii")))
            self.failures[name] += data["failures"]
            for error, n in data["errors"].items():
                self.errors[name][error] += n
            for second, samples in data["timeline"].items():
                kept = self.timeline[name].setdefault(int(second), [])
                kept.extend(samples[: max(0, TIMELINE_SAMPLES - len(kept))])

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


def pin_hosts(resolve: dict[str, str]) -> None:
    """``network.resolve`` for gevent's sockets: connect to the mapped address, keep the
    name for the Host header and SNI (like curl --resolve)."""
    real = gevent.socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        mapped = resolve.get(f"{str(host).lower()}:{port}")
        if mapped is not None:
            address, _, mapped_port = mapped.rpartition(":")
            return real(address.strip("[]"), int(mapped_port), *args, **kwargs)
        return real(host, port, *args, **kwargs)

    gevent.socket.getaddrinfo = getaddrinfo


class Prepared:
    """A target's request with everything that does not change per request worked out once:
    only the chatbot's conversation slot is filled per shopper."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.has_slot = (
            SESSION_SLOT in json.dumps([target.url, target.headers, target.json, target.form])
            or quote(SESSION_SLOT) in target.url
        )
        self.wanted = frozenset(target.expect_statuses or ())

    def send(self, client: FastHttpSession, session: str, intended: float | None = None) -> None:
        """One request, judged by the expected statuses (else any status below 400). With
        ``intended`` (open model), its latency runs from the intended send time."""
        target = self.target
        url, headers, body, form = target.url, target.headers, target.json, target.form
        if self.has_slot:
            url = url.replace(SESSION_SLOT, session).replace(quote(SESSION_SLOT), session)
            headers, body, form = (
                fill_template(v, SESSION_SLOT, session) for v in (headers, body, form)
            )
        with client.request(
            target.method,
            url,
            name=target.name,
            headers=headers,
            json=body,
            data=form,
            catch_response=True,
        ) as response:
            if intended is not None:
                response.request_meta["response_time"] = (time.perf_counter() - intended) * 1000
            status = response.status_code or 0
            if status in self.wanted if self.wanted else 0 < status < 400:
                response.success()
            else:
                response.failure(f"HTTP {status}" if status else str(response.error or "no answer"))


class Picker:
    """Weighted choice of the next step; no dice to roll when there is one target."""

    def __init__(self, spec: LoadSpec) -> None:
        self.prepared = [Prepared(t) for t in spec.targets]
        self.weights = [t.weight for t in spec.targets]

    def next(self) -> Prepared:
        if len(self.prepared) == 1:
            return self.prepared[0]
        return random.choices(self.prepared, self.weights)[0]


def user_class(spec: LoadSpec) -> type[FastHttpUser]:
    picker = Picker(spec)

    class Shopper(FastHttpUser):
        host = "http://launchready.invalid"  # every target URL is absolute
        wait_time = between(*spec.think_s)
        network_timeout = spec.timeout_s
        connection_timeout = spec.timeout_s
        max_redirects = 0

        def on_start(self) -> None:
            self.session = f"launchready-load-{uuid.uuid4().hex[:12]}"

        @task
        def step(self) -> None:
            picker.next().send(self.client, self.session)

    return Shopper


def run_open(env: Environment, spec: LoadSpec, stopping: list[str]) -> None:
    """Constant arrival at ``spec.rate`` per second for the duration (or an interrupt)."""
    assert spec.rate is not None
    rate = spec.rate
    client = FastHttpSession(
        base_url="http://launchready.invalid",
        request_event=env.events.request,
        user=None,
        network_timeout=spec.timeout_s,
        connection_timeout=spec.timeout_s,
        max_redirects=0,
        concurrency=OPEN_MAX_IN_FLIGHT,
    )
    pool = gevent.pool.Pool(OPEN_MAX_IN_FLIGHT)
    picker = Picker(spec)
    started = time.perf_counter()
    sent = 0
    while (intended := started + sent / rate) - started < spec.duration_s and not stopping:
        delay = intended - time.perf_counter()
        if delay > 0:
            gevent.sleep(delay)
        pool.spawn(picker.next().send, client, f"launchready-load-{sent}", intended)
        sent += 1
    pool.join(timeout=spec.timeout_s + 1)


def progress_reporter(env: Environment, recorder: Recorder) -> None:
    """One JSON line a second on stdout for the parent's progress display."""
    started = time.monotonic()
    while True:
        gevent.sleep(1.0)
        total = env.stats.total
        line = {
            "elapsed_s": round(time.monotonic() - started, 1),
            "users": env.runner.user_count if env.runner is not None else 0,
            "requests": total.num_requests,
            "failures": total.num_failures,
            "rps": round(total.current_rps, 1),
        }
        print(json.dumps(line), flush=True)


def write_result(
    spec: LoadSpec,
    recorder: Recorder,
    env: Environment,
    stopped: str,
    load_started: float,
    load_ended: float,
    workers: int = 0,
) -> None:
    """``load_started`` and ``load_ended`` (epoch seconds) bound the load itself, without
    the wait for workers before it or the stop after it: requests/s divide by that."""
    locust_p95 = {
        name: entry.get_response_time_percentile(0.95)
        for (name, _method), entry in env.stats.entries.items()
    }
    result = {
        "model": spec.model,
        "stopped": stopped,
        "duration_s": round(load_ended - load_started, 2),
        "started_epoch": load_started,
        "workers": workers,
        "targets": recorder.export(),
        "locust_p95_ms": locust_p95,
    }
    Path(spec.result_path).write_text(json.dumps(result), encoding="utf-8")


def main(argv: list[str]) -> int:
    role, spec_path = argv[0], Path(argv[-1])
    spec = LoadSpec.read(spec_path)
    pin_hosts(spec.resolve)
    recorder = Recorder()
    env = Environment(user_classes=[user_class(spec)], events=events)
    env.events.request.add_listener(recorder.record)
    stopping: list[str] = []

    def interrupt(*_: Any) -> None:
        stopping.append("interrupted")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)

    if role == "worker":
        host, _, port = argv[1].rpartition(":")

        def report(client_id: str, data: dict[str, Any]) -> None:
            data["launchready"] = recorder.export()
            recorder.reset()

        env.events.report_to_master.add_listener(report)
        env.create_worker_runner(host, int(port)).greenlet.join()
        return 0

    gevent.spawn(progress_reporter, env, recorder)
    if role == "master":
        host, _, port = argv[1].rpartition(":")
        workers, wait_s = int(argv[2]), float(argv[3])
        env.events.worker_report.add_listener(
            lambda client_id, data: recorder.merge(data.get("launchready", {}))
        )
        master = env.create_master_runner(host, int(port))
        print(json.dumps({"master": argv[1], "workers_expected": workers}), flush=True)
        deadline = time.monotonic() + wait_s
        while master.worker_count < workers and time.monotonic() < deadline:
            gevent.sleep(0.05)
        if master.worker_count < workers:
            print(json.dumps({"error": f"only {master.worker_count} of {workers} workers"}))
            master.quit()
            return 2
        runner: MasterRunner | LocalRunner = master
    elif spec.rate is not None:
        env.create_local_runner()
        load_started = time.time()
        run_open(env, spec, stopping)
        stopped = stopping[0] if stopping else "completed"
        write_result(spec, recorder, env, stopped, load_started, time.time())
        return 0
    else:
        runner = env.create_local_runner()
    # A master's start() blocks while it ramps up, so it runs beside the clock.
    load_started = time.time()
    starter = gevent.spawn(runner.start, spec.users, spawn_rate=spec.spawn_rate)
    ends = time.monotonic() + spec.duration_s
    while time.monotonic() < ends and not stopping:
        gevent.sleep(0.05)
    starter.kill(block=True)
    load_ended = time.time()
    runner.stop()
    # A master is stopped once every worker has said so, and a worker sends its last
    # report (with its histograms) before it says so: nothing is lost by waiting here.
    while runner.state != STATE_STOPPED:
        gevent.sleep(0.05)
    workers = runner.worker_count if isinstance(runner, MasterRunner) else 0
    stopped = stopping[0] if stopping else "completed"
    write_result(spec, recorder, env, stopped, load_started, load_ended, workers)
    runner.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
