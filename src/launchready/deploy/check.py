"""``launchready deploy check`` as a library call: build HEAD in a clean clone with only
``deploy.build_env``, diagnose a failure, scan ``deploy.artifacts`` for credentials.

The report's ``deploy`` deliverable lists every build it ran (the diagnosis's rebuilds
included) with its timing and log file; the logs stay after the run, the clones do not.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from launchready import catalog
from launchready.deploy.artifacts import check_patterns, scan_artifacts
from launchready.deploy.build import Builder
from launchready.deploy.buildenv import caller_extras, env_redactor, read_build_env
from launchready.deploy.diagnose import Budget, Diagnosis, diagnose
from launchready.deploy.shell import LogDir, Progress
from launchready.deploy.workspace import extras, head_commit, toplevel
from launchready.errors import InputError
from launchready.findings import Finding, Report
from launchready.manifest import Manifest
from launchready.runner import command_report
from launchready.secrets import Scanner

DELIVERABLE = "deploy"
DEFAULT_BUILD_TIMEOUT = 900.0
TITLES = {
    "untracked-file": "The build needs a file that is not committed",
    "undeclared-variable": "The build needs a variable that deploy.build_env does not declare",
    "file-and-variable": "The build needs an uncommitted file and an undeclared variable",
    "timeout": "The build does not finish in time in a clean copy of the code",
}
"""Titles that say the cause; the catalog's own title covers the rest."""


@dataclass(frozen=True)
class CheckOptions:
    build_timeout: float = DEFAULT_BUILD_TIMEOUT
    log_dir: Path | None = None
    """Where the step logs go (kept); a new temporary folder when None."""
    budget: Budget | None = None
    repo: Path | None = None
    """The folder to build (in its repository's clean clone); None: see
    :func:`locate_repository`."""


def locate_repository(manifest: Manifest, chosen: Path | None) -> tuple[Path, Path]:
    """The repository to clone and the folder in it where the build runs.

    ``chosen`` (``--repo``) when given; else the repository holding the manifest, built in
    the manifest's folder; else, for a manifest kept outside the code (as the demo does),
    the one repository that ``secrets.paths`` names as the store's code."""
    if chosen is not None:
        folder = chosen.resolve()
        if not folder.is_dir():
            raise InputError(f"--repo {chosen}: no such folder")
        top = toplevel(folder)
        return top, folder.relative_to(top)
    base = manifest.base_dir.resolve()
    if repository_of(base) is not None:
        top = toplevel(base)
        return top, base.relative_to(top)
    named = manifest.secrets.paths if manifest.secrets is not None else []
    found: dict[Path, Path] = {}
    for path in (manifest.resolve_path(p).resolve() for p in named):
        top_of = repository_of(path) if path.is_dir() else None
        if top_of is not None:
            found.setdefault(top_of, path)
    if len(found) == 1:
        top, folder = next(iter(found.items()))
        return top, folder.relative_to(top)
    raise InputError(
        f"{base} is not inside a git repository: deploy check builds the committed HEAD; "
        "keep the manifest in the store's repository or name it with --repo DIR"
    )


def repository_of(folder: Path) -> Path | None:
    try:
        return toplevel(folder)
    except InputError:
        return None


def make_log_dir(chosen: Path | None, prefix: str) -> LogDir:
    if chosen is None:
        return LogDir(Path(tempfile.mkdtemp(prefix=prefix)))
    try:
        chosen.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--log-dir {chosen}: {exc.strerror}") from None
    return LogDir(chosen.resolve())


async def check_report(
    manifest: Manifest, options: CheckOptions, progress: Progress | None = None
) -> Report:
    """The whole check; bad input (no ``deploy.build``, no repository, an unreadable
    ``build_env``) is an InputError before anything runs."""
    deploy = manifest.deploy
    if deploy is None or not deploy.build:
        raise InputError(
            f"{manifest.path or 'the manifest'}: deploy check needs deploy.build, the command "
            'that builds the store (e.g. build: "npm ci && npm run build")'
        )
    check_patterns(deploy.artifacts)
    declared = read_build_env(manifest.resolve_path(deploy.build_env)) if deploy.build_env else {}
    top, subdir = await asyncio.to_thread(locate_repository, manifest, options.repo)
    commit = await asyncio.to_thread(head_commit, top)
    pending = await asyncio.to_thread(extras, top)
    logs = make_log_dir(options.log_dir, "launchready-deploy-check-")
    started_at, clock = datetime.now(UTC), time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="launchready-build-"))
    redact = env_redactor(declared, manifest.secret_values, os.environ)
    builder = Builder(
        top=top,
        commit=commit,
        subdir=subdir,
        command=deploy.build,
        declared=declared,
        limit=options.build_timeout,
        logs=logs,
        work=work,
        redact=redact,
        progress=progress,
    )
    findings: list[Finding] = []
    diagnosis: Diagnosis | None = None
    try:
        first, folder = await builder.attempt("build (clean clone)", keep=True)
        scanner = await asyncio.to_thread(Scanner)
        scanned = await asyncio.to_thread(scan_artifacts, scanner, folder, deploy.artifacts)
        findings += scanned.findings
        if not first.ok:
            caller = caller_extras(builder.clean_env(work / "home"))
            diagnosis = await diagnose(builder, first, pending, caller, options.budget or Budget())
            findings.append(_not_reproducible(redact(deploy.build), diagnosis, first.log))
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)
    deliverable: dict[str, object] = {
        "kind": "check",
        "commit": commit,
        "build": redact(deploy.build),
        "build_env": {
            "file": deploy.build_env,
            "names": sorted(declared),
        },
        "log_dir": str(logs.path),
        "steps": [r.to_json() for r in builder.results],
        "artifacts": scanned.to_json(),
        "diagnosis": diagnosis.to_json() if diagnosis is not None else None,
    }
    return command_report(
        manifest,
        "deploy",
        findings,
        command="deploy check",
        started_at=started_at,
        clock=clock,
        extras={DELIVERABLE: deliverable},
    )


def _not_reproducible(command: str, diagnosis: Diagnosis, log: Path) -> Finding:
    evidence = {**diagnosis.to_json(), "log": str(log)}
    # The long last lines go last, so an evidence line shortened for the terminal still
    # names the log.
    evidence["last_lines"] = evidence.pop("last_lines")
    return catalog.finding(
        "deploy.build-not-reproducible",
        target=command,
        evidence=evidence,
        title=TITLES.get(diagnosis.cause),
        fingerprint_keys=["cause"],
    )


__all__ = ["DEFAULT_BUILD_TIMEOUT", "DELIVERABLE", "CheckOptions", "check_report", "make_log_dir"]
