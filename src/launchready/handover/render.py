"""The handover page as Markdown (for the repository's docs) and HTML (for the browser and
the PDF). Both come from one :class:`~launchready.handover.model.Handover`; the HTML is one
A4 page by construction: two columns, compact type, and the open risks capped."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from launchready.handover.model import Handover
from launchready.report.common import one_line
from launchready.report.markdown import md
from launchready.templating import html_environment


@cache
def _environment() -> Environment:
    return html_environment("launchready.handover")


def html(handover: Handover) -> str:
    return _environment().get_template("handover.html.j2").render(h=handover)


def markdown(handover: Handover) -> str:
    h = handover
    lines = [
        f"# Handover: {md(h.name)}",
        "",
        f"Generated {h.generated_at:%Y-%m-%d %H:%M} UTC by launchready"
        + (f" from the audit of {h.report_at:%Y-%m-%d %H:%M} UTC." if h.report_at else "."),
        "",
    ]
    if h.open_items:
        lines += ["## Open items", ""]
        lines += [f"- **{md(item)}**" for item in h.open_items]
        lines.append("")
    lines += ["## Who owns what", "", "| Account | Provider | Owner |", "|---|---|---|"]
    for a in h.accounts:
        if a.missing:
            lines.append(f"| {md(a.label)} | **open item** | **nobody named** |")
        else:
            lines.append(f"| {md(a.label)} | {md(a.provider or '')} | {md(a.owner or '')} |")
    lines += ["", "## Secrets", ""]
    lines.append(
        f"- Live in: {md(h.secrets_store)}" if h.secrets_store else "- Live in: **open item**"
    )
    if h.secret_names:
        lines.append(f"- Names: {', '.join(_code(n) for n in h.secret_names)}")
    lines.append(
        "- Rotate: create the new value at the provider, set it in the secrets store, "
        "deploy, verify with `launchready smoke`, then revoke the old one."
    )
    lines += [f"- **Rotate now, exposed:** {md(item)}" for item in h.exposed]
    lines += ["", "## Deploy, roll back, verify", ""]
    lines += _steps("Deploy", h.deploy_steps)
    lines += _steps("Roll back (under 10 minutes)", h.rollback_steps)
    if h.rollback_measured:
        measured = md(h.rollback_measured)
        lines.append(
            f"- Rollback time: {measured}"
            if h.rollback_proven
            else f"- **Rollback time: {measured}**"
        )
    lines += [f"- Verify: {', '.join(_code(c) for c in h.verify)}", ""]
    lines += ["## What runs in production", ""]
    lines += [
        f"- Route **{md(name)}**: {_code(target)}" + (f" ({kind})" if kind else "")
        for name, target, kind in h.routes
    ]
    lines += [f"- Redirect {_code(a)} -> {_code(b)}" for a, b in h.redirects]
    lines += [f"- Host {_code(name)} ({role})" for name, role in h.hosts]
    if h.staging:
        lines.append(f"- Staging: {', '.join(f'{_code(s)}' for s in h.staging)}")
    if h.cloudflare is not None:
        lines.append(f"- {md(h.cloudflare.text)}")
    lines.append(
        f"- Monitoring: {len(h.checks)} checks ({md(', '.join(h.checks))}), alerts to "
        + (", ".join(f"{_code(c)}" for c in h.channels) or "**nobody**")
    )
    lines += ["", "## When something breaks: check first", ""]
    for scenario in h.incidents:
        lines.append(f"**{md(scenario.title)}**")
        lines.append("")
        for index, step in enumerate(scenario.steps, start=1):
            command = f": {_code(step.command)}" if step.command else ""
            lines.append(f"{index}. {md(step.what)}{command}")
        lines.append("")
    if h.report_at is not None:
        lines += ["## Open risks from the last audit", ""]
        if not h.risks:
            lines.append("None at blocker, high or medium.")
        for risk in h.risks:
            where = f" ({md(risk.target)})" if risk.target else ""
            lines.append(
                f"- **{risk.severity}** `{risk.id}` {md(risk.title)}{where}: {md(risk.fix)}"
            )
        if h.risks_more:
            lines.append(f"- and {h.risks_more} more in the audit report")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _steps(title: str, steps: tuple[str, ...]) -> list[str]:
    if not steps:
        return [f"- {title}: **open item, not written down**"]
    return [f"- {title}: " + " then ".join(f"{_code(s)}" for s in steps)]


def _code(text: str) -> str:
    """``text`` as an inline code span (no escaping applies inside one)."""
    return "`" + one_line(text).replace("`", "'") + "`"
