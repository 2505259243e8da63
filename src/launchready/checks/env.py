"""The ``env`` area: every environment defines the required names, and none shares a
secret value with another.

Only names and SHA-256 digests leave :mod:`launchready.envcheck`, so nothing here can
print a value. ``env.shared-value`` compares the digests of names that may hold a
credential (:func:`launchready.envcheck.looks_secret` says which: configuration such as
``PORT`` or a password-free URL is expected to be equal everywhere).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from launchready.catalog import finding
from launchready.context import CheckContext
from launchready.envcheck import EnvFile, read_env, required_names
from launchready.errors import CheckError, InputError
from launchready.findings import Finding
from launchready.manifest import Manifest


def skip_reason(manifest: Manifest) -> str | None:
    """The area needs an ``environments`` section with at least one file."""
    if manifest.environments is None or not manifest.environments.files:
        return "no environments section (environments.files) in the manifest"
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    """env.missing and env.shared-value for the manifest's environment files."""
    section = ctx.manifest.environments
    if section is None:
        return []
    required = ctx.manifest.resolve_path(section.required) if section.required else None
    files = {env: ctx.manifest.resolve_path(p) for env, p in section.files.items()}
    try:
        return await asyncio.to_thread(env_findings, required, files, ctx.manifest.base_dir)
    except InputError as exc:
        raise CheckError(str(exc)) from None


def env_findings(required: Path | None, files: Mapping[str, Path], base: Path) -> list[Finding]:
    """Both env checks over ``files`` (environment -> path); targets are shown relative to
    ``base``. Blocking file I/O: call it in a thread from async code."""
    names = required_names(required) if required is not None else []
    parsed = {env: read_env(path) for env, path in files.items()}
    found = [f for env, ef in parsed.items() for f in missing(env, ef, names, base)]
    return found + shared_values(parsed, base)


def missing(env: str, parsed: EnvFile, names: list[str], base: Path) -> list[Finding]:
    """One env.missing per required name absent or empty in this environment."""
    target = display_path(parsed.path, base)
    return [
        finding(
            "env.missing",
            target=target,
            evidence={
                "environment": env,
                "name": name,
                "state": "empty" if name in parsed.entries else "absent",
            },
            fingerprint_keys=("environment", "name"),
        )
        for name in names
        if not parsed.defined(name)
    ]


def shared_values(parsed: Mapping[str, EnvFile], base: Path) -> list[Finding]:
    """One env.shared-value per secret-looking name whose digest repeats across
    environments; the evidence names the environments, never the value or its hash."""
    findings: list[Finding] = []
    names = dict.fromkeys(n for ef in parsed.values() for n in ef.entries)
    for name in names:
        groups: dict[str, list[str]] = {}
        for env, ef in parsed.items():
            entry = ef.entries.get(name)
            if entry is not None and entry.digest is not None and entry.secret:
                groups.setdefault(entry.digest, []).append(env)
        for envs in groups.values():
            if len(envs) < 2:
                continue
            findings.append(
                finding(
                    "env.shared-value",
                    target=name,
                    evidence={
                        "name": name,
                        "environments": sorted(envs),
                        "files": [display_path(parsed[e].path, base) for e in sorted(envs)],
                    },
                    fingerprint_keys=("name", "environments"),
                )
            )
    return findings


def display_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it lies below it, as a report should show it."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


__all__ = ["display_path", "env_findings", "missing", "run", "shared_values", "skip_reason"]
