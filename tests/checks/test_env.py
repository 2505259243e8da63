"""The env area: on files written here and on the demo store."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready.checks import env as area
from launchready.errors import CheckError
from launchready.manifest import load_manifest

from .support import check_context


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_missing_and_shared_values(tmp_path: Path) -> None:
    required = write(tmp_path, ".env.example", "A_KEY=\nB_TOKEN=\nPORT=\n")
    files = {
        "production": write(tmp_path, ".env.production", "A_KEY=same-secret-1\nPORT=80\n"),
        "staging": write(tmp_path, ".env.staging", "A_KEY=same-secret-1\nB_TOKEN=\nPORT=80\n"),
    }
    found = area.env_findings(required, files, tmp_path)
    missing = {
        (f.evidence["environment"], f.evidence["name"], f.evidence["state"])
        for f in found
        if f.id == "env.missing"
    }
    assert missing == {("production", "B_TOKEN", "absent"), ("staging", "B_TOKEN", "empty")}
    shared = [f for f in found if f.id == "env.shared-value"]
    assert [(f.target, f.evidence["environments"]) for f in shared] == [
        ("A_KEY", ["production", "staging"])
    ]
    assert all(
        f.target == ".env.production"
        for f in found
        if f.id == "env.missing" and f.evidence["environment"] == "production"
    )
    assert "same-secret-1" not in repr(found)


def test_fingerprints_ignore_value_changes(tmp_path: Path) -> None:
    files = {
        "production": write(tmp_path, "p.env", "KEY=value-one-1\n"),
        "staging": write(tmp_path, "s.env", "KEY=value-one-1\n"),
    }
    first = area.env_findings(None, files, tmp_path)
    write(tmp_path, "p.env", "KEY=value-two-2\n")
    write(tmp_path, "s.env", "# moved\nKEY=value-two-2\n")
    assert [f.fingerprint for f in first] == [
        f.fingerprint for f in area.env_findings(None, files, tmp_path)
    ]


async def test_flawed_demo(flawed: Path) -> None:
    async with check_context(load_manifest(flawed)) as ctx:
        found = await area.run(ctx)
    assert [(f.id, f.target, f.evidence["name"]) for f in found] == [
        ("env.missing", "envs/.env.production", "SENDGRID_API_KEY"),
        ("env.shared-value", "STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY"),
    ]


async def test_fixed_demo_is_clean(fixed: Path) -> None:
    async with check_context(load_manifest(fixed)) as ctx:
        assert await area.run(ctx) == []


async def test_unreadable_file_is_a_check_error(flawed: Path, tmp_path: Path) -> None:
    manifest = load_manifest(flawed)
    section = manifest.environments
    assert section is not None
    broken = section.model_copy(update={"files": {"production": str(tmp_path / "nope")}})
    async with check_context(manifest.model_copy(update={"environments": broken})) as ctx:
        with pytest.raises(CheckError, match="cannot read"):
            await area.run(ctx)


def test_skip_without_environments(flawed: Path) -> None:
    manifest = load_manifest(flawed)
    assert area.skip_reason(manifest) is None
    assert area.skip_reason(manifest.model_copy(update={"environments": None})) is not None
