"""``launchready deploy check`` through the real command line, on real git repositories with
real (shell and Python) builds: an uncommitted file, an undeclared variable, a key baked
into the bundle, a clean project, and a build that never ends."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import CliRun
from tests.deploy.conftest import MakeRepo, git
from tests.secrets.corpus import expand

from launchready.deploy import CheckOptions, check_report
from launchready.errors import InputError
from launchready.manifest import load_manifest
from launchready.report import Format, render, report_from_json

MANIFEST = """
    site: {domain: shop.test}
    deploy:
      build: "sh build.sh"
      artifacts: [dist/]
      build_env: .env.ci
"""
LOGS = ("--log-dir", "logs")
"""Step logs inside the test's folder (the cli fixture runs there), not the temp dir's."""
BUNDLE = """
    set -e
    mkdir -p dist/assets
    printf 'const api = "%s";\\n' "$PUBLIC_API_URL" > dist/assets/app.js
"""


def run_check(cli: CliRun, manifest: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    done = cli("deploy", "check", "-m", manifest, "--format", "json", *LOGS, *args, env=env)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout)
    data["_exit"] = done.returncode
    data["_stderr"] = done.stderr
    return data


def ids(data: Any) -> list[str]:
    return [f["id"] for f in data["findings"]]


def only(data: Any, finding_id: str) -> dict[str, Any]:
    found = [f for f in data["findings"] if f["id"] == finding_id]
    assert len(found) == 1, ids(data)
    return found[0]


def test_a_clean_project_builds_and_ships_no_secret(cli: CliRun, make_repo: MakeRepo) -> None:
    manifest = make_repo(
        committed={"build.sh": BUNDLE, ".gitignore": "dist/\n.env.ci\n"},
        untracked={".env.ci": "PUBLIC_API_URL=https://api.shop.test\n"},
        manifest=MANIFEST,
    )
    repo = manifest.parent
    data = run_check(cli, manifest)
    assert data["findings"] == []
    assert data["_exit"] == 0
    deploy = data["extras"]["deploy"]
    assert [s["name"] for s in deploy["steps"]] == ["build (clean clone)"]
    step = deploy["steps"][0]
    assert step["ok"] and step["exit_code"] == 0 and step["seconds"] < 30
    assert deploy["artifacts"] == [{"path": "dist/", "files": 1}]
    assert deploy["build_env"] == {"file": ".env.ci", "names": ["PUBLIC_API_URL"]}
    assert deploy["commit"] == git(repo, "rev-parse", "HEAD").strip()
    log = Path(step["log"])
    assert log.read_text().startswith("$ sh build.sh\n")
    assert "build (clean clone): ok" in data["_stderr"]
    # the build ran in a clone: the working tree got no dist/ of its own
    assert not (repo / "dist").exists()


def test_a_build_needing_an_untracked_file_names_it(cli: CliRun, make_repo: MakeRepo) -> None:
    manifest = make_repo(
        committed={
            "build.sh": "set -e\nmkdir -p dist\ncp config/shop.json dist/shop.json\n",
            ".gitignore": "dist/\n",
        },
        untracked={"config/shop.json": '{"currency": "EUR"}', "notes.txt": "todo"},
        manifest=MANIFEST.replace("      build_env: .env.ci\n", ""),
    )
    data = run_check(cli, manifest)
    assert data["_exit"] == 1
    assert "secrets.in-build" not in ids(data)
    finding = only(data, "deploy.build-not-reproducible")
    evidence = finding["evidence"]
    assert evidence["cause"] == "untracked-file"
    assert evidence["files"] == ["untracked file config/shop.json"]
    assert "config/shop.json" in finding["title"] + evidence["explanation"]
    assert any("config/shop.json" in line for line in evidence["last_lines"])
    assert Path(evidence["log"]).is_file()
    steps = [s["name"] for s in data["extras"]["deploy"]["steps"]]
    assert steps[:2] == ["build (clean clone)", "build (clone + working-tree files)"]
    assert "build (clone + your environment)" not in steps


def test_an_unnamed_untracked_file_is_found_by_bisecting(cli: CliRun, make_repo: MakeRepo) -> None:
    """The build's output says nothing useful: rebuilding with halves of the working tree's
    extra files still finds the one it needs."""
    build = "import os, sys\nsys.exit(0 if os.path.exists('assets/fonts.css') else 7)\n"
    manifest = make_repo(
        committed={"build.py": build, ".gitignore": "*.log\n"},
        untracked={
            "assets/fonts.css": "body{}",
            "a.txt": "a",
            "b.txt": "b",
            "c.txt": "c",
            "debug.log": "x",
        },
        manifest='site: {domain: shop.test}\ndeploy: {build: "python3 build.py"}\n',
    )
    data = run_check(cli, manifest)
    evidence = only(data, "deploy.build-not-reproducible")["evidence"]
    assert evidence["cause"] == "untracked-file"
    assert evidence["files"] == ["untracked file assets/fonts.css"]
    assert evidence["confirmed"] is True


def test_a_build_needing_an_undeclared_variable_names_it(cli: CliRun, make_repo: MakeRepo) -> None:
    build = (
        'test -n "$SHOP_API_URL" || { echo "error: SHOP_API_URL is not set" >&2; exit 1; }\n'
        + BUNDLE
    )
    manifest = make_repo(
        committed={"build.sh": build, ".gitignore": ".env.ci\n"},
        untracked={".env.ci": "PUBLIC_API_URL=https://api.shop.test\n"},
        manifest=MANIFEST,
    )
    data = run_check(cli, manifest, env={"SHOP_API_URL": "https://api.shop.test/v2"})
    finding = only(data, "deploy.build-not-reproducible")
    evidence = finding["evidence"]
    assert evidence["cause"] == "undeclared-variable"
    assert evidence["variables"] == ["SHOP_API_URL"]
    assert evidence["confirmed"] is True
    assert finding["title"] == "The build needs a variable that deploy.build_env does not declare"
    assert "error: SHOP_API_URL is not set" in evidence["last_lines"]
    steps = [(s["name"], s["ok"]) for s in data["extras"]["deploy"]["steps"]]
    assert steps == [
        ("build (clean clone)", False),
        ("build (clone + working-tree files)", False),  # the manifest is untracked
        ("build (clone + your environment)", True),
        ("build (with some variables)", True),
    ]


def test_a_silent_undeclared_variable_is_found_by_bisecting(
    cli: CliRun, make_repo: MakeRepo
) -> None:
    manifest = make_repo(
        committed={"build.sh": 'test "$BUILD_FLAVOUR" = "spring" || exit 4\n'},
        manifest='site: {domain: shop.test}\ndeploy: {build: "sh build.sh"}\n',
    )
    data = run_check(cli, manifest, env={"BUILD_FLAVOUR": "spring"})
    evidence = only(data, "deploy.build-not-reproducible")["evidence"]
    assert evidence["cause"] == "undeclared-variable"
    assert evidence["variables"] == ["BUILD_FLAVOUR"]
    assert evidence["confirmed"] is True


def test_a_declared_variable_is_enough(cli: CliRun, make_repo: MakeRepo) -> None:
    """The same build is reproducible once build_env declares the variable: the finding
    must stay silent, and the caller's own value must not be what made it pass."""
    manifest = make_repo(
        committed={"build.sh": 'test "$BUILD_FLAVOUR" = "spring" || exit 4\n'},
        untracked={".env.ci": "BUILD_FLAVOUR=spring\n"},
        manifest='site: {domain: shop.test}\ndeploy: {build: "sh build.sh", build_env: .env.ci}\n',
    )
    data = run_check(cli, manifest, env={"BUILD_FLAVOUR": "autumn"})
    assert data["findings"] == []


def test_a_key_baked_into_the_bundle_is_a_blocker_never_shown(
    cli: CliRun, make_repo: MakeRepo
) -> None:
    key = expand("sk_live_{rand32}")
    build = (
        "set -e\nmkdir -p dist/assets\n"
        'echo "baking $VITE_STRIPE_KEY into the bundle"\n'
        'printf \'const api = "/api";\\nconst stripe = "%s";\\n\' "$VITE_STRIPE_KEY" '
        "> dist/assets/app.js\n"
    )
    manifest = make_repo(
        committed={"build.sh": build, ".gitignore": ".env.ci\n"},
        untracked={".env.ci": f"VITE_STRIPE_KEY={key}\n"},
        manifest=MANIFEST,
    )
    done = cli("deploy", "check", "-m", manifest, "--format", "json", *LOGS)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert ids(data) == ["secrets.in-build"]
    finding = data["findings"][0]
    assert finding["severity"] == "blocker"
    assert finding["target"] == "dist/assets/app.js"
    evidence = finding["evidence"]
    assert evidence["rule"] == "stripe-secret-key"
    assert evidence["line"] == 2
    assert evidence["value"].startswith("sk_l…")
    assert len(evidence["secret_fingerprint"]) >= 16
    log = Path(data["extras"]["deploy"]["steps"][0]["log"])
    assert "baking ${VITE_STRIPE_KEY} into the bundle" in log.read_text()
    for text in (done.stdout, done.stderr, log.read_text()):
        assert key not in text
        assert key[8:20] not in text
    report = report_from_json(done.stdout)
    for fmt in (Format.TEXT, Format.MD, Format.HTML):
        shown = render(report, fmt)
        assert key[8:20] not in shown
        assert "dist/assets/app.js" in shown


def test_a_manifest_kept_outside_the_code_builds_the_repository_it_scans(
    cli: CliRun, make_repo: MakeRepo, tmp_path: Path
) -> None:
    """The demo's layout: the manifest and the CI's env file in a folder of their own, the
    code in the repository ``secrets.paths`` names (or ``--repo``)."""
    key = expand("sk_live_{rand32}")
    build = (
        "set -eu\nmkdir -p dist\n"
        'echo "window.stripeKey = \\"$STRIPE_SECRET_KEY\\";" > dist/config.js\n'
    )
    inside = make_repo(committed={"scripts/build.sh": build}, manifest="site: {domain: x.test}\n")
    manifest = tmp_path / "launchready.yaml"
    manifest.write_text(
        "site: {domain: shop.test}\n"
        "secrets: {paths: [shop]}\n"
        "deploy: {build: sh scripts/build.sh, artifacts: [dist/], build_env: envs/.env.ci}\n"
    )
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / ".env.ci").write_text(f"STRIPE_SECRET_KEY={key}\n")
    data = run_check(cli, manifest)
    assert ids(data) == ["secrets.in-build"]
    assert data["findings"][0]["target"] == "dist/config.js"
    assert key[8:20] not in json.dumps(data)
    (tmp_path / "shop-copy").mkdir()  # a second repository: only --repo can choose
    git(tmp_path / "shop-copy", "init", "-q")
    manifest.write_text(manifest.read_text().replace("[shop]", "[shop, shop-copy]"))
    with pytest.raises(InputError, match="--repo DIR"):
        asyncio.run(check_report(load_manifest(manifest), CheckOptions()))
    explicit = asyncio.run(
        check_report(
            load_manifest(manifest), CheckOptions(repo=inside.parent, log_dir=tmp_path / "logs")
        )
    )
    assert [f.id for f in explicit.findings] == ["secrets.in-build"]


def test_a_build_that_never_ends_is_stopped_at_the_limit(cli: CliRun, make_repo: MakeRepo) -> None:
    manifest = make_repo(
        committed={"build.sh": "echo compiling\nsleep 60\n"},
        manifest='site: {domain: shop.test}\ndeploy: {build: "sh build.sh"}\n',
    )
    data = run_check(cli, manifest, "--build-timeout", "1s")
    evidence = only(data, "deploy.build-not-reproducible")["evidence"]
    assert evidence["cause"] == "timeout"
    steps = data["extras"]["deploy"]["steps"]
    assert len(steps) == 1  # no rebuild: each would take as long
    assert steps[0]["timed_out"] is True and steps[0]["exit_code"] is None
    assert 1 <= steps[0]["seconds"] < 10
    assert "compiling" in evidence["last_lines"]


def test_bad_input_exits_2(cli: CliRun, make_repo: MakeRepo, tmp_path: Path) -> None:
    """Two through the command line (the exit code), the rest through the library call
    (the message): every one is refused before anything is built."""
    no_build = make_repo(
        committed={"a.txt": "a"}, manifest="site: {domain: shop.test}\ndeploy: {steps: [x]}\n"
    )
    outside = tmp_path / "outside" / "launchready.yaml"
    outside.parent.mkdir()
    outside.write_text('site: {domain: shop.test}\ndeploy: {build: "true"}\n')
    escape = make_repo(
        name="escape",
        committed={"a.txt": "a"},
        manifest='site: {domain: shop.test}\ndeploy: {build: "true", artifacts: ["../x"]}\n',
    )
    missing_env = make_repo(
        name="missing-env",
        committed={"a.txt": "a"},
        manifest='site: {domain: shop.test}\ndeploy: {build: "true", build_env: .env.ci}\n',
    )
    cases = [
        (no_build, "deploy.build"),
        (outside, "not inside a git repository"),
        (escape, "deploy.artifacts"),
        (missing_env, "deploy.build_env"),
    ]
    for manifest, message in cases[:1]:
        done = cli("deploy", "check", "-m", manifest)
        assert done.returncode == 2, (manifest, done.stderr)
        assert message in done.stderr
        assert "Traceback" not in done.stderr
    for manifest, message in cases[1:]:
        with pytest.raises(InputError, match=message):
            asyncio.run(check_report(load_manifest(manifest), CheckOptions()))
    bad_limit = cli("deploy", "check", "-m", no_build, "--build-timeout", "soon")
    assert bad_limit.returncode == 2
    assert "Traceback" not in bad_limit.stderr
