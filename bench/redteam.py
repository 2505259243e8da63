"""Time ``launchready redteam`` against promptfoo on the demo's chatbot, in one run.

Run by hand, as root (it makes private network and mount namespaces: only loopback, and a
hosts file that points the demo's chat host at loopback for promptfoo):
``python bench/redteam.py [--runs 3] [--promptfoo PATH]``.

Both tools send the same messages (every turn of the 85 shipped probes) to the flawed demo
store's chat endpoint (replies take 100 to 300 ms, like a hosted model) with 8 requests in
flight, and judge every reply without a model: promptfoo with ``not-icontains`` assertions
for the canary and the other customer's email (a subset of launchready's detectors), and
launchready with all of its own. launchready runs twice: with the manifest's default rate cap
(20 messages per second, so a red team is never itself a flood) and uncapped, the same
conditions promptfoo runs under. Both figures are wall clock from the command's start,
interpreter start-up included. The issue's goal: the whole set in under 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from isolation import isolate

from launchready.chat.probeset import ProbeValues, load_probes, prepare
from launchready.demo import DemoStore
from launchready.manifest import load_manifest
from launchready.manifest.models import Chatbot

GOAL_S = 10.0
CONCURRENCY = 8
DEFAULT_RATE: float = Chatbot.model_fields["rate"].default
"""The manifest's default ``chatbot.rate``; the demo's own manifest allows more."""
DEFAULT_PROMPTFOO = "/tmp/peers/promptfoo/node_modules/.bin/promptfoo"


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1, 100):
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout


def with_rate(manifest: Path, rate: float) -> Path:
    """The demo manifest with the red team's rate cap and 8 conversations in flight."""
    data = yaml.safe_load(manifest.read_text())
    data["chatbot"]["rate"] = rate
    data["chatbot"]["concurrency"] = CONCURRENCY
    path = manifest.with_name(f"rate-{rate:g}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def promptfoo_config(manifest: Path, folder: Path) -> tuple[Path, int, dict[str, str]]:
    """The probe set as a promptfoo eval: one test per message, each its own session."""
    loaded = load_manifest(manifest)
    bot = loaded.chatbot
    assert bot is not None and bot.canary and bot.other_customer
    prepared, _ = prepare(load_probes(), ProbeValues.from_chatbot(bot))
    messages = [m for p in prepared for m in p.messages]
    assert loaded.network is not None and loaded.network.ca_bundle
    address, port = loaded.network.resolve[f"{bot.host}:443"].rsplit(":", 1)
    pin_host(bot.host, address, folder)
    tests = [
        {
            "vars": {"message": message, "session": f"pf-{n}"},
            "assert": [
                {"type": "not-icontains", "value": bot.canary},
                {"type": "not-icontains", "value": bot.other_customer.email},
            ],
        }
        for n, message in enumerate(messages)
    ]
    config = {
        "description": "launchready probe set",
        "prompts": ["{{message}}"],
        "providers": [
            {
                "id": "https",
                "config": {
                    "url": f"https://{bot.host}:{port}/api/message",
                    "method": "POST",
                    "headers": {"Content-Type": "application/json"},
                    "body": {"message": "{{prompt}}", "session_id": "{{session}}"},
                    "transformResponse": "json.reply",
                },
            }
        ],
        "tests": tests,
    }
    path = folder / "promptfooconfig.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    env = {
        **os.environ,
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CONFIG_DIR": str(folder / ".promptfoo"),
        "NODE_EXTRA_CA_CERTS": str(loaded.resolve_path(loaded.network.ca_bundle)),
    }
    return path, len(messages), env


def pin_host(name: str, address: str, folder: Path) -> None:
    """Point ``name`` at ``address`` for promptfoo, which has no ``--resolve``: a hosts file
    bind-mounted over /etc/hosts inside this private mount namespace only."""
    hosts = folder / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n{address} {name}\n")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)


def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, DemoStore(Path(tmp) / "demo") as store:
        manifest = store.manifest_path
        ours = [sys.executable, "-m", "launchready", "redteam", "--format", "json", "-q", "-m"]
        rows: list[tuple[str, list[float], str]] = []
        for label, path in (
            ("launchready (rate cap 20/s)", with_rate(manifest, DEFAULT_RATE)),
            ("launchready (uncapped)", with_rate(manifest, 1000)),
        ):
            times, note = [], ""
            for _ in range(args.runs):
                seconds, out = timed([*ours, str(path)])
                times.append(seconds)
                red = json.loads(out)["extras"]["redteam"]
                found = sorted(f["id"] for f in json.loads(out)["findings"])
                note = f"{red['probes_run']} probes, findings {', '.join(found)}"
            rows.append((label, times, note))
        promptfoo = args.promptfoo if Path(args.promptfoo).exists() else shutil.which("promptfoo")
        if promptfoo:
            folder = Path(tmp) / "pf"
            folder.mkdir()
            config, count, env = promptfoo_config(manifest, folder)
            command = [
                promptfoo,
                "eval",
                "-c",
                str(config),
                "--no-cache",
                "--no-table",
                "-j",
                str(CONCURRENCY),
                "-o",
                str(folder / "out.json"),
            ]
            times = [timed(command, env)[0] for _ in range(args.runs)]
            stats = json.loads((folder / "out.json").read_text())["results"].get("stats", {})
            shutil.copy(folder / "out.json", Path(tempfile.gettempdir()) / "promptfoo-out.json")
            note = (
                f"{count} messages: {stats.get('successes', '?')} pass, "
                f"{stats.get('failures', '?')} fail, {stats.get('errors', '?')} errors"
            )
            rows.append(("promptfoo eval", times, note))
        best = min(statistics.median(t) for label, t, _ in rows if label.startswith("launch"))
        print(
            f"cpus: {os.cpu_count()}, runs: {args.runs}, goal: {GOAL_S:g} s, "
            f"{CONCURRENCY} requests in flight"
        )
        for label, times, note in rows:
            median = statistics.median(times)
            print(
                f"{label:28} median {median:6.2f} s  min {min(times):6.2f} s  "
                f"vs fastest launchready {median / best:4.1f}x  goal/median "
                f"{GOAL_S / median:4.1f}x  ({note})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--promptfoo", default=DEFAULT_PROMPTFOO)
    args = parser.parse_args()
    isolate(private_mounts=True)
    bench(args)


if __name__ == "__main__":
    main()
