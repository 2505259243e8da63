"""``launchready email verify-message FILE.eml``: DKIM, SPF and DMARC alignment of a real
sent message.

The manifest is optional here: a founder often has only the message. ``-m`` names one
explicitly; otherwise ``./launchready.yaml`` is used when it exists (for its ``network``
overrides and its registrable domain), and the system resolver when it does not.
``--nameserver`` points DNS at a lab server without writing a manifest.
"""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from launchready.cli.options import (
    DEFAULT_MANIFEST,
    Common,
    OptionalManifestOpt,
    with_common_options,
)
from launchready.cli.output import emit
from launchready.errors import InputError
from launchready.findings import Report, redact_json
from launchready.mail.envelope import load_message
from launchready.mail.verify import verify_report
from launchready.manifest import Manifest, Network, load_manifest, split_nameserver
from launchready.net import Resolver
from launchready.redact import Redactor

email_app = typer.Typer(
    name="email",
    help="Email authentication of real messages.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@email_app.command("verify-message")
@with_common_options
def verify_message(
    file: Annotated[Path, typer.Argument(metavar="FILE.eml", help="The message, as saved.")],
    manifest: OptionalManifestOpt = None,
    ip: Annotated[
        str | None, typer.Option("--ip", help="The sending server's IP, if headers lack it.")
    ] = None,
    helo: Annotated[str | None, typer.Option("--helo", help="The HELO/EHLO name it used.")] = None,
    nameserver: Annotated[
        str | None,
        typer.Option("--nameserver", metavar="HOST:PORT", help="Ask this DNS server instead."),
    ] = None,
    *,
    opts: Common,
) -> None:
    """DKIM signature, SPF and DMARC alignment of a real sent message."""
    if ip is not None:
        _check_ip(ip)
    loaded = _manifest(manifest)
    network = loaded.network if loaded is not None else Network()
    if nameserver is not None:
        network = _with_nameserver(network, nameserver)
    data = load_message(file)
    report = asyncio.run(_run(data, file, network, loaded, opts, ip, helo))
    raise typer.Exit(emit(report, opts))


async def _run(
    data: bytes,
    file: Path,
    network: Network,
    manifest: Manifest | None,
    opts: Common,
    ip: str | None,
    helo: str | None,
) -> Report:
    resolver = Resolver(
        network, timeout=opts.timeout, limiter=asyncio.Semaphore(max(1, opts.concurrency))
    )
    known = (manifest.site.domain,) if manifest is not None else ()
    report = await verify_report(data, resolver, target=file.name, ip=ip, helo=helo, known=known)
    if manifest is None or not manifest.secret_values:
        return report
    redactor = Redactor(manifest.secret_values)
    return Report(
        tool=report.tool,
        site=report.site,
        started_at=report.started_at,
        duration_ms=report.duration_ms,
        findings=tuple(f.with_text(redactor) for f in report.findings),
        checks=report.checks,
        extras={k: redact_json(v, redactor) for k, v in report.extras.items()},
    )


def _manifest(path: Path | None) -> Manifest | None:
    if path is not None:
        return load_manifest(path)
    return load_manifest(DEFAULT_MANIFEST) if DEFAULT_MANIFEST.exists() else None


def _with_nameserver(network: Network, value: str) -> Network:
    try:
        split_nameserver(value)
    except ValueError as exc:
        raise InputError(f"--nameserver {value!r}: {exc}") from None
    return network.model_copy(update={"nameservers": [value]})


def _check_ip(value: str) -> None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise InputError(f"--ip {value!r} is not an IP address") from None


__all__ = ["email_app"]
