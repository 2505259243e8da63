"""``launchready init [DOMAIN]``: write a starter ``launchready.yaml`` from what DNS and HTTP
already say about DOMAIN.

The file is checked by the same loader ``audit`` uses before it is written, and an
existing file is never replaced without ``--force``. ``--nameserver``, ``--resolve`` and
``--ca-bundle`` reach a store that is not on the public internet yet (a staging stack, or
``launchready demo --keep-running``), and are kept in the file's ``network`` section.

With ``CLOUDFLARE_API_TOKEN`` in the environment, the store's Cloudflare zone is read too
(at ``CLOUDFLARE_API_BASE`` when set): its proxied names fill ``site.hosts``, the CDN is
Cloudflare, and a ``cloudflare`` section names the token as ``${CLOUDFLARE_API_TOKEN}``.
A token the API refuses, or a zone it does not know, is a warning: init goes on without.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from launchready.cli.app import app
from launchready.cli.options import DEFAULT_MANIFEST, ManifestOpt
from launchready.cloudflare.read import ZoneUnreadable
from launchready.durations import parse_duration
from launchready.errors import CheckError, InputError, ToolError
from launchready.manifest import Manifest, load_manifest
from launchready.manifest.models import Network, Site
from launchready.onboard.cloudflare import (
    BASE_VARIABLE,
    TOKEN_VARIABLE,
    ZoneFound,
    merge,
    read_for_init,
    section,
)
from launchready.onboard.discover import Discovery, discover
from launchready.onboard.writer import manifest_text
from launchready.runner import AuditOptions, open_context

NAMES_SHOWN = 5
"""Proxied names the summary lists; the file has them all."""


@app.command()
def init(
    domain: Annotated[
        str | None, typer.Argument(help="The store's domain, e.g. acme-candles.com.")
    ] = None,
    manifest: ManifestOpt = DEFAULT_MANIFEST,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    nameserver: Annotated[
        list[str] | None,
        typer.Option("--nameserver", help="Ask this DNS server (HOST[:PORT]); repeatable."),
    ] = None,
    resolve: Annotated[
        list[str] | None,
        typer.Option("--resolve", help="HOST:PORT=ADDRESS:PORT, as curl's --resolve; repeatable."),
    ] = None,
    ca_bundle: Annotated[
        Path | None, typer.Option("--ca-bundle", help="Trust this CA file for HTTPS.")
    ] = None,
    timeout: Annotated[str, typer.Option("--timeout", help="Per network operation.")] = "10s",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Write a starter launchready.yaml, filled from what DNS and HTTP say about DOMAIN.

    With CLOUDFLARE_API_TOKEN set (a read-only token: Zone, Zone Settings, DNS and Zone WAF
    read), also reads the Cloudflare zone named DOMAIN (at CLOUDFLARE_API_BASE if set, else
    https://api.cloudflare.com/client/v4): its proxied records fill site.hosts, cdn becomes
    cloudflare, and a cloudflare section is written with token ${CLOUDFLARE_API_TOKEN},
    never the value. A refused token or unknown zone is a warning; init goes on without it.
    """
    if domain is None:
        if not sys.stdin.isatty():
            raise InputError("init needs the store's domain: launchready init acme-candles.com")
        domain = typer.prompt("The store's domain (e.g. acme-candles.com)")
    domain = domain.strip().lower().rstrip(".").removeprefix("https://").removeprefix("http://")
    domain = domain.split("/", 1)[0]
    if manifest.exists() and not force:
        raise InputError(f"{manifest} exists; use --force to replace it")
    network = _network(nameserver or [], resolve or [], ca_bundle)
    options = AuditOptions(timeout=parse_duration(timeout))
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    api_base = os.environ.get(BASE_VARIABLE, "").strip() or None
    if token:
        section(domain, token, api_base)  # a bad CLOUDFLARE_API_BASE is exit 2, before any work
    found = asyncio.run(_discover(domain, network, options, token, api_base))
    text = manifest_text(found, network, datetime.now(UTC).date())
    _write_checked(manifest, text)
    if not quiet:
        _summary(found, manifest)


def _network(nameservers: list[str], resolve: list[str], ca: Path | None) -> Network:
    pairs: dict[str, str] = {}
    for item in resolve:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--resolve {item!r}: write HOST:PORT=ADDRESS:PORT")
        pairs[key.strip()] = value.strip()
    try:
        return Network(
            nameservers=nameservers,
            resolve=pairs,
            ca_bundle=str(ca.resolve()) if ca is not None else None,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise InputError(f"--nameserver/--resolve: {problem['msg']}") from None


async def _discover(
    domain: str, network: Network, options: AuditOptions, token: str, api_base: str | None
) -> Discovery:
    try:
        probe = Manifest(site=Site(domain=domain), network=network)
    except ValidationError as exc:
        raise InputError(f"{domain!r} is not a domain name: {exc.errors()[0]['msg']}") from None
    async with open_context(probe, options) as ctx:
        if not token:
            return await discover(ctx, domain)
        found, zone = await asyncio.gather(
            discover(ctx, domain), _zone(domain, token, api_base, options, network)
        )
    if zone is not None:
        merge(found, zone)
    return found


async def _zone(
    domain: str, token: str, api_base: str | None, options: AuditOptions, network: Network
) -> ZoneFound | None:
    """The Cloudflare zone, or None with a warning: init never stops for it."""
    ca = Path(network.ca_bundle) if network.ca_bundle else None
    try:
        return await read_for_init(domain, token, api_base, options.timeout, ca)
    except (ZoneUnreadable, CheckError) as problem:
        print(
            f"launchready: warning: the Cloudflare zone {domain} was not read ({problem}); "
            "writing the manifest without it",
            file=sys.stderr,
        )
        return None


def _write_checked(path: Path, text: str) -> None:
    """Validate ``text`` with the audit's loader, then put it in place in one rename."""
    folder = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=".launchready-init-", suffix=".yaml", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            load_manifest(Path(temporary))
        except InputError as exc:
            raise ToolError(
                f"init wrote a manifest that does not validate (a bug): {exc}"
            ) from None
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _summary(found: Discovery, path: Path) -> None:
    lines = [
        f"launchready: wrote {path} for {found.domain}",
        f"  canonical: {found.canonical or 'not found'}",
        f"  hosts: {', '.join(sorted(found.hosts)) or 'none'}",
        f"  mail senders: {', '.join(found.senders) or 'none found'}"
        + (f"; DKIM selectors: {', '.join(found.dkim_selectors)}" if found.dkim_selectors else ""),
        f"  CDN: {found.cdn_provider or 'none seen'}",
        *_cloudflare_summary(found),
        *(f"  not found: {note}" for note in found.notes),
        "  next: fill in the TODOs (owners, deploy and rollback, alert channels), then run "
        "`launchready audit`",
    ]
    print("\n".join(lines), file=sys.stderr)


def _cloudflare_summary(found: Discovery) -> list[str]:
    zone = found.cloudflare
    if zone is None:
        return []
    names = ", ".join(zone.proxied[:NAMES_SHOWN]) or "none"
    if len(zone.proxied) > NAMES_SHOWN:
        names += f" and {len(zone.proxied) - NAMES_SHOWN} more"
    return [f"  Cloudflare zone {zone.zone}: SSL {zone.ssl or 'unknown'}; proxied: {names}"]
