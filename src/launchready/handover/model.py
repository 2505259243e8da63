"""What the handover page says, as data: built from the manifest and, optionally, the last
audit's report, so Markdown, HTML, PDF and JSON all say the same thing.

The roadmap's stage 7 asks who owns every account, where secrets live and how to rotate
them, how to deploy, roll back and verify, and every critical route, redirect, subdomain
and monitoring check; stage 6 asks for an incident note saying what to check first. What
the manifest does not say is an *open item*, never silently left out: a handover that
hides a gap is worse than none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from launchready.envcheck import read_env
from launchready.errors import InputError
from launchready.findings import Finding, Report, Severity
from launchready.handover.cloudflare import ZoneAsFound, zone_as_found
from launchready.handover.incidents import Scenario, scenarios
from launchready.manifest import Manifest
from launchready.manifest.models import Owner, Owners
from launchready.monitor.plan import plan as monitor_plan
from launchready.monitor.send import describe
from launchready.report.common import ordered
from launchready.report.deployview import human

ACCOUNTS = ("registrar", "dns", "cdn", "hosting", "email", "deploy", "monitoring")
"""The accounts the roadmap's handover names, in the order a crisis reaches them."""
ACCOUNT_LABELS = {
    "registrar": "Domain registrar",
    "dns": "DNS (also SPF, DKIM, DMARC records)",
    "cdn": "CDN / Cloudflare",
    "hosting": "Hosting",
    "email": "Email sending",
    "deploy": "Deploys (git, CI)",
    "monitoring": "Monitoring and alerts",
}
RISKS_SHOWN = 7
"""Open risks listed on the page; the rest are counted (the page must stay one page)."""
PLACES_SHOWN = 3
EXPOSURE = {
    "secrets.in-tree": "In the working tree",
    "secrets.in-history": "In git history",
    "secrets.in-frontend": "Sent to browsers",
    "secrets.in-build": "In the build output",
    "secrets.dotenv-committed": "Env file committed to git",
    "env.shared-value": "Same value in two environments",
}
"""How the page names each kind of exposure (the finding titles repeat the place)."""
SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASS", "DSN", "PRIVATE", "CREDENTIAL")


@dataclass(frozen=True)
class Account:
    role: str
    label: str
    provider: str | None
    owner: str | None

    @property
    def missing(self) -> bool:
        return self.owner is None


@dataclass(frozen=True)
class Risk:
    severity: str
    id: str
    title: str
    target: str
    fix: str


@dataclass(frozen=True)
class Handover:
    site: str
    name: str
    generated_at: datetime
    accounts: tuple[Account, ...]
    secrets_store: str | None
    secret_names: tuple[str, ...]
    """Names from ``environments.required`` that hold credentials; never a value."""
    exposed: tuple[str, ...]
    """Credentials the last audit found exposed (rule and place only): rotate first."""
    routes: tuple[tuple[str, str, str], ...]
    """(name, method and URL, what it is: health, checkout, webhook)."""
    redirects: tuple[tuple[str, str], ...]
    hosts: tuple[tuple[str, str], ...]
    staging: tuple[str, ...]
    checks: tuple[str, ...]
    """The monitor's checks, by name."""
    channels: tuple[str, ...]
    """Alert channels, credentials masked."""
    deploy_steps: tuple[str, ...]
    rollback_steps: tuple[str, ...]
    verify: tuple[str, ...]
    incidents: tuple[Scenario, ...]
    risks: tuple[Risk, ...]
    risks_more: int
    risk_counts: dict[str, int] = field(default_factory=dict)
    report_at: datetime | None = None
    open_items: tuple[str, ...] = ()
    rollback_measured: str | None = None
    """What the last ``deploy drill`` measured (rollback plus smoke on staging), when the
    report the page is built from holds one: the one number a crisis needs."""
    rollback_proven: bool = True
    """False when that drill's rollback failed or ran over its budget."""
    cloudflare: ZoneAsFound | None = None
    """The Cloudflare zone as the last audit read it (SSL mode, proxied hosts, rules)."""

    def routes_by_origin(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """Routes grouped under their origin, as (origin, [(name, "METHOD /path", kind)]):
        the page lists each host once."""
        groups: dict[str, list[tuple[str, str, str]]] = {}
        for name, target, kind in self.routes:
            method, _, url = target.partition(" ")
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            groups.setdefault(f"{parts.scheme}://{parts.netloc}", []).append(
                (name, f"{method} {path or '/'}", kind)
            )
        return list(groups.items())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        data["report_at"] = self.report_at.isoformat() if self.report_at else None
        return data


def build_handover(manifest: Manifest, report: Report | None, now: datetime) -> Handover:
    owners = manifest.owners or Owners()
    accounts = tuple(_account(role, getattr(owners, role)) for role in ACCOUNTS)
    deploy = manifest.deploy
    monitor = manifest.monitor
    risks = _risks(report)
    handover = Handover(
        site=manifest.site.domain,
        name=manifest.site.name or manifest.site.domain,
        generated_at=now,
        accounts=accounts,
        secrets_store=deploy.secrets_store if deploy else None,
        secret_names=_secret_names(manifest),
        exposed=_exposed(report),
        routes=tuple(
            (r.name, f"{r.method} {r.url}", _route_kind(r.health, r.checkout, r.webhook))
            for r in manifest.routes
        ),
        redirects=tuple((str(r.from_url), str(r.to)) for r in manifest.redirects),
        hosts=tuple((h.name, h.role) for h in manifest.site.hosts),
        staging=tuple(manifest.site.staging),
        checks=tuple(c.name for c in monitor_plan(manifest)),
        channels=tuple(describe(url) for url in (monitor.notify if monitor else [])),
        deploy_steps=tuple(deploy.steps if deploy else ()),
        rollback_steps=tuple(deploy.rollback if deploy else ()),
        verify=("launchready smoke", "launchready audit --only smoke,tls,routing"),
        incidents=scenarios(manifest),
        risks=tuple(risks[:RISKS_SHOWN]),
        risks_more=max(0, len(risks) - RISKS_SHOWN),
        risk_counts=report.summary if report else {},
        report_at=report.started_at if report else None,
        cloudflare=zone_as_found(report),
    )
    measured = drill_rollback(report)
    if measured is not None:
        handover = replace(handover, rollback_measured=measured[0], rollback_proven=measured[1])
    return _with_open_items(handover)


def _account(role: str, owner: Owner | None) -> Account:
    label = ACCOUNT_LABELS[role]
    if owner is None:
        return Account(role, label, None, None)
    return Account(role, label, owner.provider, owner.owner)


def _route_kind(health: bool, checkout: bool, webhook: bool) -> str:
    kinds = [
        k for k, on in (("health", health), ("checkout", checkout), ("webhook", webhook)) if on
    ]
    return ", ".join(kinds)


def _secret_names(manifest: Manifest) -> tuple[str, ...]:
    required = manifest.environments.required if manifest.environments else None
    if not required:
        return ()
    path = manifest.resolve_path(required)
    try:
        names = read_env(Path(path)).names
    except InputError:  # unreadable: the names are simply not listed
        return ()
    return tuple(n for n in names if any(word in n.upper() for word in SECRET_WORDS))


def _exposed(report: Report | None) -> tuple[str, ...]:
    """What to rotate first: one line per kind of exposure with its places (file:line,
    URL, commit file), never the value (the report holds it masked anyway)."""
    if report is None:
        return ()
    places: dict[str, list[str]] = {}
    for f in ordered(report):
        if f.area == "secrets" or f.id == "env.shared-value":
            where = places.setdefault(EXPOSURE.get(f.id, f.title), [])
            if f.target not in where:
                where.append(f.target)
    return tuple(
        f"{kind}: {', '.join(where[:PLACES_SHOWN])}"
        + (f" and {len(where) - PLACES_SHOWN} more" if len(where) > PLACES_SHOWN else "")
        for kind, where in places.items()
    )


def _risks(report: Report | None) -> list[Risk]:
    """Blocker, high and medium findings, blockers first; several findings of one ID are
    one line (three leaked lines of one file are one thing to fix)."""
    if report is None:
        return []
    shown = (Severity.BLOCKER, Severity.HIGH, Severity.MEDIUM)
    grouped: dict[str, list[Finding]] = {}
    for f in ordered(report):
        if f.severity in shown:
            grouped.setdefault(f.id, []).append(f)
    risks = []
    for findings in grouped.values():
        first = findings[0]
        more = f" (and {len(findings) - 1} more like it)" if len(findings) > 1 else ""
        target = "" if first.target in first.title else first.target
        risks.append(Risk(first.severity.value, first.id, first.title + more, target, first.fix))
    return risks


def drill_rollback(report: Report | None) -> tuple[str, bool] | None:
    """The measured rollback of a ``deploy drill`` report as one sentence, and whether it
    held (rolled back to a passing store within the budget); None without a drill."""
    raw = report.extras.get("deploy") if report is not None else None
    if not isinstance(raw, Mapping) or raw.get("kind") != "drill":
        return None
    seconds, budget = raw.get("rollback_seconds"), raw.get("budget")
    if not _is_number(seconds) or not _is_number(budget):
        return None
    ok = raw.get("rollback_ok") is True
    within = seconds <= budget
    when = f"{report.started_at:%Y-%m-%d}" if report is not None else ""
    sentence = (
        f"{human(seconds)} measured on staging (rollback + smoke, budget {human(budget)}, "
        f"drill of {when})"
    )
    if not ok:
        sentence += ": the store did NOT pass its smoke test after it"
    elif not within:
        sentence += ": over budget"
    return sentence, ok and within


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _with_open_items(handover: Handover) -> Handover:
    missing = [a.label.split(" (")[0] for a in handover.accounts if a.missing]
    items: list[str] = []
    if missing:
        items.append(f"Nobody named for: {', '.join(missing)} (owners: provider and owner)")
    if handover.secrets_store is None:
        items.append("Where production secrets live is not written down (deploy.secrets_store)")
    if not handover.rollback_steps:
        items.append("No rollback steps (deploy.rollback): a bad deploy has no way back")
    if not handover.channels:
        items.append("No alert channel (monitor.notify): a customer would be the first to know")
    if not any(kind.startswith("health") for _, _, kind in handover.routes):
        items.append("No health route (routes: health: true) for the monitor and the smoke test")
    return replace(handover, open_items=tuple(items))
