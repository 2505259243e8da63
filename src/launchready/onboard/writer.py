"""The first ``launchready.yaml``, as commented YAML a founder can read and finish.

Written by hand rather than dumped, because the comments are half the value: each
discovered value says where it came from, and each thing only the founder knows (owners,
deploy and rollback, alert channels, the routes a purchase needs) is a ``TODO`` with an
example. Unknown owners stay commented out, so the audit reports them until they are set.
"""

from __future__ import annotations

import json
from datetime import date

from launchready.manifest.models import Network
from launchready.onboard.cloudflare import BASE_VARIABLE, TOKEN_REFERENCE, TOKEN_VARIABLE
from launchready.onboard.discover import Discovery


def _q(value: str) -> str:
    """A YAML scalar that is read back exactly (JSON strings are valid YAML)."""
    return json.dumps(value)


def manifest_text(found: Discovery, network: Network, today: date) -> str:
    d = found.domain
    site = found.canonical or f"https://{d}"
    lines = [
        f"# launchready.yaml for {d}, written by `launchready init` on {today.isoformat()}.",
        "# Found in DNS and HTTP; every TODO is something only you know.",
        "# Check it with `launchready audit`; the schema is in the README.",
        "version: 1",
        "",
        "site:",
        f"  name: {_q(d)}                # TODO: the store's name as customers know it",
        f"  domain: {d}",
    ]
    if found.canonical:
        lines.append(f"  canonical: {_q(found.canonical)}   # where http://{d}/ ends up")
    else:
        lines.append(f"  # canonical: {_q(site)}   # TODO: no page answered; set the real origin")
    proxied = set(found.cloudflare.proxied) if found.cloudflare else set()
    if found.hosts:
        lines.append("  hosts:")
        lines += [
            f"    - {{name: {name}, role: {role}}}"
            + ("   # proxied by Cloudflare" if name in proxied else "")
            for name, role in sorted(found.hosts.items())
        ]
    if found.staging:
        lines.append(f"  staging: [{', '.join(found.staging)}]   # never audited as production")
    if found.cloudflare is not None and found.cdn == "cloudflare":
        cdn_note = f"records proxied in the Cloudflare zone {found.cloudflare.zone}"
    elif found.cdn_provider:
        cdn_note = f"headers of {found.cdn_provider} seen"
    else:
        cdn_note = "no CDN headers seen"
    lines += [f"  cdn: {found.cdn}                # {cdn_note}", ""]
    lines += ["email:", f"  domain: {d}"]
    if found.senders:
        lines.append(f"  senders: [{', '.join(found.senders)}]   # from SPF includes and DKIM keys")
    else:
        lines.append("  senders: []     # TODO: who sends your mail, e.g. [google-workspace]")
    if found.dkim_selectors:
        lines.append(f"  dkim_selectors: [{', '.join(found.dkim_selectors)}]")
    mx = f"MX: {', '.join(found.mx)}" if found.mx else "no MX record found"
    lines += [f"  receives_mail: {'true' if found.mx else 'false'}   # {mx}", ""]
    lines += [
        "routes:",
        f"  - {{name: home, url: {_q(site + '/')}}}",
        "  # TODO: the pages and calls a purchase needs, and a health route, e.g.",
        f"  # - {{name: cart, url: {_q(site + '/cart')}, checkout: true}}",
        f"  # - {{name: health, url: {_q(site + '/healthz')}, health: true}}",
        "",
    ]
    if found.redirects:
        lines.append("redirects:")
        lines += [f"  - {{from: {_q(a)}, to: {_q(b)}}}" for a, b in found.redirects]
        lines.append("")
    lines += [
        "monitor:",
        "  interval: 60s",
        "  alert_after: 2",
        '  notify: []      # TODO: Apprise URLs, e.g. "mailto://you@' + d + '"',
        "",
        "# TODO: who controls each account (the audit reports them until they are set):",
        "# owners:",
        "#   registrar: {provider: Namecheap, owner: you@" + d + "}",
        "#   dns: {provider: Cloudflare, owner: you@" + d + "}",
        "#   cdn: ...   hosting: ...   email: ...   deploy: ...   monitoring: ...",
        "",
        "# TODO: how you deploy and, above all, how you roll back (under 10 minutes):",
        "# deploy:",
        '#   steps: ["git push origin main"]',
        '#   rollback: ["..."]',
        "#   secrets_store: Fly secrets",
    ]
    lines += _cloudflare(found)
    if found.notes:
        lines += ["", "# Not found:"] + [f"#   {note}" for note in found.notes]
    section = _network(network)
    if section:
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def _cloudflare(found: Discovery) -> list[str]:
    """The zone init read, with the token named, never written (the audit expands it)."""
    zone = found.cloudflare
    if zone is None:
        return []
    lines = [
        "",
        f"cloudflare:             # read-only, with the API token in {TOKEN_VARIABLE}",
        f"  zone: {zone.zone}",
        f"  token: {_q(TOKEN_REFERENCE)}",
    ]
    if zone.api_base:
        lines.append(f"  api_base: {_q(zone.api_base)}   # from {BASE_VARIABLE}")
    return lines


def _network(network: Network) -> list[str]:
    if not (network.nameservers or network.resolve or network.ca_bundle):
        return []
    lines = ["network:                # how this machine reaches the store (as given to init)"]
    if network.nameservers:
        lines.append(f"  nameservers: [{', '.join(_q(n) for n in network.nameservers)}]")
    if network.resolve:
        pairs = ", ".join(f"{_q(k)}: {_q(v)}" for k, v in network.resolve.items())
        lines.append(f"  resolve: {{{pairs}}}")
    if network.ca_bundle:
        lines.append(f"  ca_bundle: {_q(network.ca_bundle)}")
    return lines
