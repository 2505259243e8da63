"""What the store's Cloudflare zone says, for its first manifest (``launchready init`` with
``CLOUDFLARE_API_TOKEN`` in the environment).

DNS can only be asked about names one guesses (www, api, ...); the zone lists every name,
and says which ones Cloudflare proxies: those are the store's public web hosts, so they
fill ``site.hosts`` (roles guessed from the first label, as for the names DNS answered),
and the CDN is Cloudflare. The zone is read as the audit reads it
(:func:`launchready.cloudflare.read.read_zone`: the official SDK, GET only). The manifest
names the token as ``${CLOUDFLARE_API_TOKEN}``, never its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from launchready.cloudflare.read import WEB_TYPES, Zone, read_zone
from launchready.errors import InputError
from launchready.manifest.models import Cloudflare

if TYPE_CHECKING:
    from launchready.onboard.discover import Discovery

TOKEN_VARIABLE = "CLOUDFLARE_API_TOKEN"
BASE_VARIABLE = "CLOUDFLARE_API_BASE"
TOKEN_REFERENCE = "${" + TOKEN_VARIABLE + "}"
DEFAULT_API_BASE: str = Cloudflare.model_fields["api_base"].default


@dataclass
class ZoneFound:
    """The zone as init uses it."""

    zone: str
    api_base: str | None
    """Where the API was read, when not Cloudflare's own (``CLOUDFLARE_API_BASE``)."""
    proxied: list[str] = field(default_factory=list)
    """Names under the domain with a proxied A, AAAA or CNAME record, apex included."""
    ssl: str | None = None


def section(domain: str, token: str, api_base: str | None) -> Cloudflare:
    """The ``cloudflare`` section to read the zone with; a bad ``CLOUDFLARE_API_BASE`` is
    the user's input error."""
    try:
        if api_base:
            return Cloudflare(zone=domain, token=token, api_base=api_base)
        return Cloudflare(zone=domain, token=token)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = BASE_VARIABLE if "api_base" in problem["loc"] else "the domain"
        raise InputError(f"{where}: {problem['msg']}") from None


async def read_for_init(
    domain: str, token: str, api_base: str | None, op_timeout: float, ca_bundle: Path | None
) -> ZoneFound:
    """The zone ``domain``; raises ``ZoneUnreadable`` (a refused token, an unknown zone) or
    a ``CheckError`` (the API unreachable), which init reports as a warning."""
    wanted = section(domain, token, api_base)
    zone = await read_zone(wanted, op_timeout, ca_bundle)
    base = wanted.api_base if wanted.api_base != DEFAULT_API_BASE else None
    return zone_found(domain, zone, base)


def zone_found(domain: str, zone: Zone, api_base: str | None) -> ZoneFound:
    names = {
        r.name
        for r in zone.records
        if r.proxied and r.type in WEB_TYPES and (r.name == domain or r.name.endswith(f".{domain}"))
    }
    ssl = zone.settings.get("ssl")
    return ZoneFound(
        zone=zone.name,
        api_base=api_base,
        proxied=sorted(n for n in names if not n.startswith("*")),
        ssl=ssl if isinstance(ssl, str) else None,
    )


def merge(found: Discovery, zone: ZoneFound) -> None:
    """The zone's proxied names into ``found``: staging names to ``staging``, the others to
    ``hosts`` with a role guessed from their first label (a role DNS discovery already
    gave stays); the CDN is Cloudflare when anything is proxied."""
    from launchready.onboard.discover import ROLES, STAGING

    found.cloudflare = zone
    domain = found.domain
    for name in zone.proxied:
        if name == domain:
            continue  # the apex is site.domain, as in DNS discovery
        label = name.removesuffix(f".{domain}").split(".")[0]
        if label in STAGING:
            if name not in found.staging:
                found.staging.append(name)
        else:
            found.hosts.setdefault(name, ROLES.get(label, "other"))
    if zone.proxied:
        found.cdn = "cloudflare"
        found.cdn_provider = "Cloudflare"
    else:
        found.notes.append(f"no record of the Cloudflare zone {zone.zone} is proxied")


__all__ = [
    "BASE_VARIABLE",
    "DEFAULT_API_BASE",
    "TOKEN_REFERENCE",
    "TOKEN_VARIABLE",
    "ZoneFound",
    "merge",
    "read_for_init",
    "section",
    "zone_found",
]
