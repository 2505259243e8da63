"""``launchready logs`` and ``audit --only logs`` through the real command line."""

from __future__ import annotations

import json
import subprocess
import textwrap
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from launchready.report.json_report import schema
from tests.conftest import CliRun
from tests.labserver import serve
from tests.secrets.corpus import expand

from .logfiles import Hit, app_json, combined, luhn_card, now, rid, spread, write
from .test_area import MANIFEST, clean_logs, store


class Leaks:
    """A log set holding one of each kind of sensitive value, and those values."""

    def __init__(self, root: Path) -> None:
        self.key = expand("sk_live_{rand32}")
        self.card = luhn_card()
        self.email = "jane.doe@example.com"
        self.password = "hunter2-Secret"
        start = now() - timedelta(minutes=90)
        hits = [
            Hit(at, f"/orders/{1000 + i}", seconds=0.05 + (i % 7) / 100, request_id=rid(i))
            for i, at in enumerate(spread(90, start, timedelta(minutes=1)))
        ]
        hits.append(Hit(now(), f"/account/{self.email}/orders", request_id=rid(500)))
        hits.append(Hit(now(), f"/pay?card={self.card}", "POST", 502, request_id=rid(501)))
        hits.append(Hit(now(), f"/login?password={self.password}", "POST", request_id=rid(502)))
        write(root / "access.log", [combined(h) for h in hits])
        write(
            root / "app" / "app.jsonl",
            [
                app_json(now(), "error", f"charge failed for {self.email} with key {self.key}"),
                app_json(now(), "error", f"card {self.card} declined"),
            ],
        )

    @property
    def values(self) -> list[str]:
        return [self.key, self.card, self.email, self.password]


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html", "sarif", "junit"])
def test_no_clear_value_reaches_any_format(cli: CliRun, tmp_path: Path, fmt: str) -> None:
    leaks = Leaks(tmp_path)
    result = cli("logs", "access.log", "app", "--format", fmt)
    assert result.returncode == 1, result.stderr
    for value in leaks.values:
        assert value not in result.stdout, (fmt, value)
        assert value not in result.stderr, (fmt, value)
    for finding_id in ("logs.secret-exposed", "logs.pii-exposed"):
        assert finding_id in result.stdout


def test_json_report_validates_and_carries_the_table(cli: CliRun, tmp_path: Path) -> None:
    Leaks(tmp_path)
    result = cli("logs", "access.log", "--format", "json")
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema())
    assert document["checks"] == [
        {"area": "logs", "status": "ran", "duration_ms": document["checks"][0]["duration_ms"]}
    ]
    logs = document["extras"]["logs"]
    top = logs["routes"][0]
    assert top["template"] == "GET /orders/{id}"
    assert top["requests"] == 90
    assert top["p95_ms"] is not None and top["timeline"]
    assert {r["template"] for r in logs["routes"]} >= {
        "GET /account/{email}/orders",
        "POST /pay",
        "POST /login",
    }
    assert logs["files"][0]["format"] == "combined + request time (s)"


def test_html_draws_latency_and_errors_over_time_offline(cli: CliRun, tmp_path: Path) -> None:
    Leaks(tmp_path)
    html = cli("logs", "access.log", "--format", "html").stdout
    assert "Logs: real traffic" in html
    assert 'class="p95"' in html and 'class="errbar"' in html
    assert "GET /orders/{id}" in html
    assert "<script" not in html and "http://" not in html.split("<main>")[0]


def test_text_is_a_table(cli: CliRun, tmp_path: Path) -> None:
    Leaks(tmp_path)
    out = cli("logs", "access.log", "--format", "text").stdout
    header = next(line for line in out.splitlines() if line.startswith("route template"))
    for column in ("requests", "p50", "p95", "p99", "5xx", "budget", "worst 5 minutes"):
        assert column in header


def test_since_limits_to_newer_lines(cli: CliRun, tmp_path: Path) -> None:
    Leaks(tmp_path)
    result = cli("logs", "access.log", "--since", "10m", "--format", "json")
    logs = json.loads(result.stdout)["extras"]["logs"]
    assert logs["requests"] == 3 + 9  # the three odd requests and the last nine orders
    assert logs["since"] is not None


def test_bad_input_exits_2(cli: CliRun) -> None:
    result = cli("logs")
    assert result.returncode == 2
    assert "nothing to read" in result.stderr and "Traceback" not in result.stderr
    result = cli("logs", "missing.log")
    assert result.returncode == 2
    assert "missing.log" in result.stderr
    assert cli("logs", "x.log", "--since", "soon").returncode == 2


def test_a_clean_log_exits_0(cli: CliRun, tmp_path: Path) -> None:
    clean_logs(tmp_path)
    result = cli("logs", "nginx/access.log*", "app", "--format", "json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []


async def test_with_a_manifest_the_live_header_check_runs(cli: CliRun, tmp_path: Path) -> None:
    clean_logs(tmp_path)
    async with serve(store(with_header=False)) as origin:
        (tmp_path / "launchready.yaml").write_text(
            textwrap.dedent(MANIFEST).format(origin=origin), encoding="utf-8"
        )
        result = await _in_thread(cli, "logs", "--format", "json")
    document = json.loads(result.stdout)
    assert document["site"] == "shop.test"
    ids = {(f["id"], f["target"]) for f in document["findings"]}
    assert ids == {
        ("logs.no-request-id", f"{origin}/orders/1001"),
        ("logs.no-request-id", f"{origin}/checkout/session"),
    }
    live = document["extras"]["logs"]["live"]
    assert [c["present"] for c in live] == [False, False]


async def test_audit_runs_the_logs_area(cli: CliRun, tmp_path: Path) -> None:
    clean_logs(tmp_path)
    Leaks(tmp_path / "app")  # also an access.log and app/app/app.jsonl below app/
    async with serve(store(with_header=True)) as origin:
        (tmp_path / "launchready.yaml").write_text(
            textwrap.dedent(MANIFEST).format(origin=origin), encoding="utf-8"
        )
        result = await _in_thread(cli, "audit", "--only", "logs", "--format", "json")
    document = json.loads(result.stdout)
    assert document["checks"][0]["area"] == "logs"
    assert document["checks"][0]["status"] == "ran"
    ids = {f["id"] for f in document["findings"]}
    assert {"logs.secret-exposed", "logs.pii-exposed"} <= ids
    assert "logs" in document["extras"]


async def _in_thread(cli: CliRun, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a worker thread, so the loopback store on this loop keeps answering."""
    import asyncio

    return await asyncio.to_thread(cli, *args)
