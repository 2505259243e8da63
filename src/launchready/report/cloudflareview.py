"""The zone as found (``extras["cloudflare"]``) for the terminal, Markdown and HTML: the
settings that decide security and caching, which hosts are proxied, and the rate-limiting
rules. Read defensively like the other views (a report may be re-rendered from edited
JSON); the deliverable holds no token, only what the API said about the zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text

from launchready.findings import JSONValue, Report
from launchready.report.common import mappings, shown
from launchready.report.textblocks import section

DELIVERABLE = "cloudflare"
SHOWN_SETTINGS = (
    "ssl",
    "min_tls_version",
    "always_use_https",
    "security_level",
    "development_mode",
)
SHOWN_HOSTS = 12


@dataclass(frozen=True)
class CloudflareView:
    zone: str
    settings: tuple[tuple[str, str], ...]
    proxied: str
    dns_only: str
    rules: tuple[str, ...]


def cloudflare_view(report: Report) -> CloudflareView | None:
    raw = report.extras.get(DELIVERABLE)
    if not isinstance(raw, Mapping):
        return None
    settings = raw.get("settings")
    values = settings if isinstance(settings, Mapping) else {}
    return CloudflareView(
        zone=shown(raw.get("zone"), "-"),
        settings=tuple((name, shown(values.get(name), "-")) for name in SHOWN_SETTINGS),
        proxied=_hosts(raw.get("proxied")),
        dns_only=_hosts(raw.get("dns_only")),
        rules=tuple(
            shown(r.get("description") or r.get("expression"), "-")
            + ("" if r.get("enabled") is not False else " (disabled)")
            for r in mappings(raw.get("rate_limit_rules"))
        ),
    )


def _hosts(value: JSONValue) -> str:
    names = [shown(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []
    if not names:
        return "none"
    more = f" and {len(names) - SHOWN_HOSTS} more" if len(names) > SHOWN_HOSTS else ""
    return ", ".join(names[:SHOWN_HOSTS]) + more


def _lines(view: CloudflareView) -> list[str]:
    settings = ", ".join(f"{name} {value}" for name, value in view.settings)
    rules = "; ".join(view.rules) if view.rules else "none"
    return [
        f"Settings: {settings}",
        f"Proxied: {view.proxied}",
        f"DNS only: {view.dns_only}",
        f"Rate-limiting rules: {rules}",
    ]


def cloudflare_text(report: Report) -> list[RenderableType]:
    view = cloudflare_view(report)
    if view is None:
        return []
    return [section(f"Cloudflare zone {view.zone}", *map(Text, _lines(view)))]


def cloudflare_markdown(report: Report) -> list[str]:
    view = cloudflare_view(report)
    if view is None:
        return []
    from launchready.report.markdown import md  # imported here: markdown imports this module

    return [
        f"## Cloudflare zone {md(view.zone)}",
        "",
        *(f"- {md(line)}" for line in _lines(view)),
        "",
    ]


__all__ = ["CloudflareView", "cloudflare_markdown", "cloudflare_text", "cloudflare_view"]
