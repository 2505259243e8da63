"""The ``secrets`` area: keys in the working tree, the git history, the site's bundles, and
committed ``.env`` files.

The frontend check runs on every audited page whether or not the manifest has a
``secrets`` section (a key in a bundle is the costliest leak and needs no repository), so
the area runs when there are pages or a section. Scanning and git are blocking work and run
in threads; fetching goes through the audit's memoised client.

In-tree means tracked or untracked-but-not-ignored files (``git ls-files -co
--exclude-standard``): a key in an ignored ``.env`` is where keys belong on a laptop.
In-history reports only values that are no longer in the tree; a value still there is
already an in-tree finding, and one leak should cost one line of the report.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from launchready.catalog import finding
from launchready.checks.env import display_path
from launchready.checks.web.collect import page_urls, pages
from launchready.context import CheckContext
from launchready.errors import CheckError
from launchready.findings import Finding
from launchready.manifest import Manifest
from launchready.net import HttpClient
from launchready.secrets import Baseline, Match, Scanner
from launchready.secrets.bundle import scan_url
from launchready.secrets.report import match_findings, relative_to

DOTENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template"})


@dataclass
class Found:
    """Every current match, before the baseline, by the finding it becomes."""

    tree: list[Match] = field(default_factory=list)
    history: list[Match] = field(default_factory=list)
    frontend: list[Match] = field(default_factory=list)
    dotenv: list[str] = field(default_factory=list)

    @property
    def matches(self) -> list[Match]:
        return self.tree + self.history + self.frontend

    def findings(self, baseline: Baseline | None = None) -> list[Finding]:
        """The findings of every match the baseline does not accept."""

        def keep(ms: list[Match]) -> list[Match]:
            return [m for m in ms if baseline is None or m not in baseline]

        return (
            match_findings("secrets.in-tree", keep(self.tree))
            + match_findings("secrets.in-history", keep(self.history))
            + match_findings("secrets.in-frontend", keep(self.frontend))
            + [
                finding("secrets.dotenv-committed", target=path, evidence={"file": path})
                for path in self.dotenv
            ]
        )


def skip_reason(manifest: Manifest) -> str | None:
    if manifest.secrets is None and not page_urls(manifest):
        return "no secrets section and no pages to scan"
    return None


async def run(ctx: CheckContext) -> list[Finding]:
    """Every secrets.* check the manifest allows."""
    manifest = ctx.manifest
    section = manifest.secrets
    scanner = await asyncio.to_thread(Scanner)
    landed = [ex.response.url for ex in await pages(ctx) if ex.answered]
    found = await collect(
        scanner,
        paths=[manifest.resolve_path(p) for p in section.paths] if section else [],
        base=manifest.base_dir,
        history=bool(section and section.history),
        urls=landed,
        http=ctx.http,
        site=manifest.site.domain,
        dotenv=section is not None,
    )
    baseline = None
    if section is not None and section.baseline:
        baseline = await asyncio.to_thread(load_baseline, manifest.resolve_path(section.baseline))
    return found.findings(baseline)


async def collect(
    scanner: Scanner,
    *,
    paths: Sequence[Path],
    base: Path,
    history: bool = False,
    urls: Sequence[str] = (),
    http: HttpClient | None = None,
    site: str | None = None,
    dotenv: bool = False,
) -> Found:
    """Scan ``paths`` (files or folders), their repositories' history, and ``urls`` with
    their scripts; match paths are shown relative to ``base``."""
    found = Found()
    tree_job = asyncio.to_thread(tree_matches, scanner, paths, base)
    web_job = _frontend(scanner, urls, http, site) if http is not None else _nothing()
    found.tree, found.frontend = await asyncio.gather(tree_job, web_job)
    roots = await asyncio.to_thread(repo_roots, paths) if history or dotenv else []
    if history:
        in_tree = {m.secret for m in found.tree}
        past = await asyncio.gather(
            *(asyncio.to_thread(history_matches, scanner, r, base) for r in roots)
        )
        found.history = [m for group in past for m in group if m.secret not in in_tree]
    if dotenv:
        tracked = await asyncio.gather(*(asyncio.to_thread(tracked_dotenv, r, base) for r in roots))
        found.dotenv = [p for group in tracked for p in group]
    return found


async def _nothing() -> list[Match]:
    return []


async def _frontend(
    scanner: Scanner, urls: Sequence[str], http: HttpClient, site: str | None
) -> list[Match]:
    scanned: set[str] = set()
    results = await asyncio.gather(
        *(scan_url(http, u, scanner, site=site, scanned=scanned) for u in dict.fromkeys(urls))
    )
    return [m for group in results for m in group]


def load_baseline(path: Path) -> Baseline | None:
    """The accepted findings; a baseline not written yet accepts nothing."""
    return Baseline.load(path) if path.exists() else None


def write_baseline(path: Path, matches: Sequence[Match]) -> None:
    """Accept exactly ``matches``: keys fixed since the last run drop out of the file."""
    current = Baseline.load(path) if path.exists() else Baseline()
    current.updated(list(matches)).save(path)


def tree_matches(scanner: Scanner, paths: Sequence[Path], base: Path) -> list[Match]:
    """Matches in the working tree of ``paths``: git's view (tracked and untracked, not
    ignored) inside a repository, every file elsewhere, a file as given."""
    files: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        root = repo_root(path) if path.is_dir() else None
        if path.is_dir() and root is not None:
            listed = _git(root, "ls-files", "-z", "-co", "--exclude-standard", "--", str(path))
            files += [f for f in (root / n for n in _names(listed)) if f.is_file()]
        elif path.is_dir():
            folders.append(path)
        elif path.exists():
            files.append(path)
    targets = list(dict.fromkeys(files + folders))
    if not targets:
        return []
    matches = scanner.scan_paths([p.absolute() for p in targets])
    return [relative_to(m, base) for m in matches]


def history_matches(scanner: Scanner, root: Path, base: Path) -> list[Match]:
    """Matches in every commit reachable from HEAD, shown under the repository's folder."""
    prefix = display_path(root, base)
    return [relative_to(m, root, prefix) for m in scanner.scan_history(root)]


def tracked_dotenv(root: Path, base: Path) -> list[str]:
    """``.env``-style files git tracks (templates such as ``.env.example`` excepted)."""
    prefix = display_path(root, base)
    names = _names(_git(root, "ls-files", "-z"))
    chosen = [n for n in names if is_dotenv(PurePosixPath(n).name)]
    return [n if prefix in ("", ".") else f"{prefix}/{n}" for n in chosen]


def is_dotenv(name: str) -> bool:
    """``.env`` or ``.env.<anything>``, except the templates meant to be committed."""
    return (name == ".env" or name.startswith(".env.")) and name not in DOTENV_TEMPLATES


def repo_roots(paths: Sequence[Path]) -> list[Path]:
    """The repositories holding ``paths``, each once (a folder outside git has none)."""
    roots = [repo_root(p if p.is_dir() else p.parent) for p in paths]
    return list(dict.fromkeys(r for r in roots if r is not None))


def repo_root(path: Path) -> Path | None:
    """The top of the git work tree containing ``path``, or None."""
    if shutil.which("git") is None or not path.exists():
        return None
    try:
        out = _git(path, "rev-parse", "--show-toplevel")
    except CheckError:
        return None
    return Path(out.decode().strip()).resolve()


def _git(cwd: Path, *args: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise CheckError("the git command is needed to read the repository")
    result = subprocess.run(
        [git, "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True, check=False
    )
    if result.returncode != 0:
        problem = result.stderr.decode(errors="replace").strip()
        raise CheckError(f"git {args[0]} failed in {cwd}: {problem}")
    return result.stdout


def _names(listing: bytes) -> list[str]:
    return [n for n in listing.decode("utf-8", errors="surrogateescape").split("\0") if n]


__all__ = [
    "Found",
    "collect",
    "history_matches",
    "is_dotenv",
    "load_baseline",
    "repo_root",
    "run",
    "skip_reason",
    "tracked_dotenv",
    "tree_matches",
    "write_baseline",
]
