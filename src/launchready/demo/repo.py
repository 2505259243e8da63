"""The store's source repository: a real git history made with the ``git`` CLI.

The secret checks must walk a genuine repository (tracked files, ``.gitignore``, history
reachable from HEAD), so the demo writes one commit by commit. Author, committer, dates
and configuration are pinned, so the history is identical between runs except for the
random planted credentials (the fixed repository has none, so its hashes never change).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from launchready.demo.build import repo_files
from launchready.demo.envfiles import env_example
from launchready.demo.settings import DemoSettings
from launchready.errors import ToolError

AUTHOR = ("Maya Founder", "maya@demo-candles.test")
FIRST_COMMIT_DATE = "2024-02-01T10:00:00+00:00"
_IGNORE_ENV = ".env\n.env.*\n!.env.example\n"


@dataclass(frozen=True)
class Commit:
    message: str
    date: str
    write: dict[str, str] = field(default_factory=dict)
    delete: tuple[str, ...] = ()


def create_repo(path: Path, settings: DemoSettings) -> list[Commit]:
    """Create the repository at ``path`` (which must not exist) and return its commits."""
    git = shutil.which("git")
    if git is None:
        raise ToolError("the demo needs the git command to build its repository")
    path.mkdir(parents=True)
    commits = history(settings)
    _git(git, path, "init", "--quiet", "--initial-branch=main")
    for commit in commits:
        for name, text in commit.write.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for name in commit.delete:
            (path / name).unlink()
        _git(git, path, "add", "--all")
        _git(git, path, "commit", "--quiet", "--no-verify", "-m", commit.message, date=commit.date)
    return commits


def history(settings: DemoSettings) -> list[Commit]:
    """The commits, oldest first; the flawed store's history carries its secrets."""
    creds = settings.credentials
    base = {
        "README.md": "# Demo Candles storefront\n\n`npm ci && npm start`, then open :3000.\n",
        "package.json": _package_json(),
        "src/server.js": _SERVER_JS,
        "src/checkout.js": _CHECKOUT_JS,
        ".env.example": env_example(),
        ".gitignore": "node_modules/\ndist/\n" + (_IGNORE_ENV if settings.fixed else ""),
    }
    build = repo_files(settings.fixed)
    if settings.fixed:
        return [
            Commit("Initial storefront", _day(0), base),
            Commit("Upload product images to S3", _day(4), {"src/upload.js": _UPLOAD_ENV_JS}),
            Commit("Build the static storefront into dist/", _day(7), build),
            Commit(
                "Document deployment variables",
                _day(8),
                {"README.md": base["README.md"] + _DEPLOY_NOTE},
            ),
        ]
    aws_config = (
        json.dumps(
            {
                "region": "eu-west-1",
                "bucket": "demo-candles-images",
                "accessKeyId": creds.aws_key_id,
                "secretAccessKey": creds.aws_secret,
            },
            indent=2,
        )
        + "\n"
    )
    dotenv = (
        f"STRIPE_SECRET_KEY={creds.stripe_live}\n"
        f"STRIPE_WEBHOOK_SECRET={creds.webhook_secret}\n"
        f"SESSION_SECRET={creds.session_production}\n"
    )
    return [
        Commit("Initial storefront", _day(0), base),
        Commit(
            "Upload product images to S3",
            _day(4),
            {"src/upload.js": _UPLOAD_FILE_JS, "config/aws.json": aws_config},
        ),
        Commit(
            "Move AWS settings out of the repo",
            _day(6),
            {"src/upload.js": _UPLOAD_ENV_JS},
            delete=("config/aws.json",),
        ),
        Commit("Build the static storefront into dist/", _day(7), build),
        Commit("Add env for the deploy box", _day(9), {".env": dotenv}),
    ]


def _git(git: str, cwd: Path, *args: str, date: str = FIRST_COMMIT_DATE) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "LC_ALL": "C",
        "TZ": "UTC",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": AUTHOR[0],
        "GIT_AUTHOR_EMAIL": AUTHOR[1],
        "GIT_COMMITTER_NAME": AUTHOR[0],
        "GIT_COMMITTER_EMAIL": AUTHOR[1],
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    command = [git, "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        problem = result.stderr.strip()
        raise ToolError(f"git {args[0]} failed while building the demo repo: {problem}")


def _day(offset: int) -> str:
    return f"2024-02-{1 + offset:02d}T10:00:00+00:00"


def _package_json() -> str:
    package = {
        "name": "demo-candles-storefront",
        "version": "1.4.2",
        "private": True,
        "scripts": {"start": "node src/server.js"},
        "dependencies": {"express": "4.17.1", "stripe": "14.5.0", "@aws-sdk/client-s3": "3.500.0"},
    }
    return json.dumps(package, indent=2) + "\n"


_SERVER_JS = """\
const express = require("express");
const { createCheckoutSession } = require("./checkout");

const app = express();
app.use(express.static("public"));
app.post("/checkout/session", express.json(), async (req, res) => {
  res.json(await createCheckoutSession(req.body.cart_id));
});
app.get("/healthz", (req, res) => res.send("ok"));
app.listen(process.env.PORT || 3000);
"""

_CHECKOUT_JS = """\
const Stripe = require("stripe");

const stripe = Stripe(process.env.STRIPE_SECRET_KEY);

async function createCheckoutSession(cartId) {
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    client_reference_id: cartId,
    success_url: "https://www.demo-candles.test/thanks",
  });
  return { id: session.id, url: session.url };
}

module.exports = { createCheckoutSession };
"""

_UPLOAD_FILE_JS = """\
const { S3Client } = require("@aws-sdk/client-s3");
const config = require("../config/aws.json");

module.exports = new S3Client({
  region: config.region,
  credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
});
"""

_UPLOAD_ENV_JS = """\
const { S3Client } = require("@aws-sdk/client-s3");

// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment.
module.exports = new S3Client({ region: "eu-west-1" });
"""

_DEPLOY_NOTE = """
## Deploying

Every variable of `.env.example` is set in Fly secrets (`fly secrets set NAME=...`);
nothing secret is committed. Roll back with `fly deploy --image <previous>`.
"""
