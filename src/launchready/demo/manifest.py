"""Writes the demo's ``launchready.yaml``: the store described as its owner would.

The manifest is the contract the audit reads, so the demo writes it exactly like a user
would, plus a ``network`` section that sends every lookup and connection to the demo's
loopback ports. Values are plain, except the Cloudflare API token, which is a ``${VAR}``
as a real one must be (:mod:`.cftoken` puts it in the environment of the process that
runs the store). The flawed manifest leaves out what a rushed founder leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from launchready.demo.cftoken import TOKEN_FILE, TOKEN_REFERENCE, TOKEN_VARIABLE
from launchready.demo.opsmanifest import dependencies, deploy_fields
from launchready.demo.settings import (
    CANARY,
    ORIGIN_IP,
    OTHER_CUSTOMER,
    SMOKE_CUSTOMER,
    DemoSettings,
)
from launchready.demo.shopdb import CUSTOMER_ORDERS_SQL, ORDER_STATUS_SQL
from launchready.demo.sockets import LOOPBACK
from launchready.demo.stagingsite import StagingPorts

CA_FILE = "demo-ca.pem"
ACCESS_LOG = "logs/access.log"
APP_LOG = "logs/app.jsonl"
SHOP_DB = "shop.db"
REPO_DIR = "repo"
ENVS_DIR = "envs"
LOAD_MIX = {"home": 40, "product": 40, "cart": 10, "chatbot": 10}
LOAD = {"users": 20, "duration": "10s", "mix": LOAD_MIX}


@dataclass(frozen=True)
class Ports:
    """Where the running demo listens on 127.0.0.1."""

    https: int
    http: int
    dns: int
    cloudflare: int
    """The fake Cloudflare API (``cloudflare.api_base``)."""

    @property
    def cloudflare_api(self) -> str:
        return f"http://{LOOPBACK}:{self.cloudflare}/client/v4"


def write_manifest(
    path: Path, settings: DemoSettings, ports: Ports, staging: StagingPorts | None = None
) -> None:
    variant = "fixed: every flaw repaired" if settings.fixed else "flawed: as a demo-stage store"
    header = (
        f"# Written by `launchready demo` ({variant}).\n"
        "# The ports in `network` are valid only while the demo runs.\n"
        f"# cloudflare.token is ${{{TOKEN_VARIABLE}}}: to run a command from another shell,\n"
        f"# load it first with `set -a; . ./{TOKEN_FILE}; set +a` in this folder.\n"
    )
    text = yaml.safe_dump(manifest_data(settings, ports, staging), sort_keys=False, width=100)
    path.write_text(header + text, encoding="utf-8")


def manifest_data(
    settings: DemoSettings, ports: Ports, staging: StagingPorts | None = None
) -> dict[str, Any]:
    """The manifest as data; ``staging`` adds the staging store's ``dependencies`` and the
    ``deploy`` build and drill (:mod:`.opsmanifest`)."""
    fixed = settings.fixed
    www = settings.canonical
    api = f"https://{settings.api}"
    creds = settings.credentials
    data: dict[str, Any] = {
        "version": 1,
        "site": {
            "name": "Demo Candles",
            "domain": settings.domain,
            "canonical": www,
            "hosts": [
                {"name": settings.apex, "role": "other"},
                {"name": settings.www, "role": "storefront"},
                {"name": settings.api, "role": "api"},
                {"name": settings.chat, "role": "chat"},
            ],
            "staging": [settings.staging],
            "origin_ips": [ORIGIN_IP],
            "cdn": "none",
        },
        "dns": {
            "expect": [
                {"name": settings.apex, "type": "A", "values": [ORIGIN_IP]},
                {"name": settings.www, "type": "CNAME", "values": [settings.apex]},
                {"name": settings.apex, "type": "MX", "values": ["1 smtp.google.com"]},
            ]
        },
        "email": {
            "domain": settings.domain,
            "senders": ["google-workspace", "sendgrid"],
            "dkim_selectors": ["google", "s1", "s2"],
            "receives_mail": True,
        },
        "routes": [
            {"name": "home", "url": f"{www}/"},
            {"name": "product", "url": f"{www}/products/lavender"},
            {"name": "cart", "url": f"{www}/cart", "checkout": True},
            {
                "name": "checkout-session",
                "url": f"{api}/checkout/session",
                "method": "POST",
                "json": {"cart_id": "demo-cart"},
                "checkout": True,
            },
            {
                "name": "order-status",
                "url": f"{api}/orders/{SMOKE_CUSTOMER.order}/status",
                "headers": {"Authorization": f"Bearer {creds.order_token}"},
            },
            {
                "name": "health",
                "url": f"{api}/healthz",
                "health": True,
                "expect": {"status": 200, "body_contains": "ok"},
            },
            {
                "name": "stripe-webhook",
                "url": f"{api}/webhooks/stripe",
                "method": "POST",
                "webhook": True,
            },
            {
                "name": "login",
                "url": f"{www}/login",
                "method": "POST",
                "form": {"email": SMOKE_CUSTOMER.email, "password": creds.smoke_password},
            },
        ],
        "redirects": [
            {"from": f"http://{settings.apex}/", "to": f"{www}/"},
            {"from": f"http://{settings.www}/products/lavender", "to": f"{www}/products/lavender"},
            {"from": f"{www}/old-shop", "to": f"{www}/shop"},
        ],
        "chatbot": {
            "url": f"https://{settings.chat}/api/message",
            "request": {"json": {"message": "{message}", "session_id": "{session}"}},
            "reply": "$.reply",
            "actions": "$.actions",
            "budget": "2s",
            "canary": CANARY,
            "customer": {"email": SMOKE_CUSTOMER.email, "order": SMOKE_CUSTOMER.order},
            "other_customer": {"email": OTHER_CUSTOMER.email, "order": OTHER_CUSTOMER.order},
            "dangerous_actions": ["create_refund", "apply_discount", "cancel_order"],
            # The demo's bot runs on this machine, with no model bill to protect: the red
            # team may go faster than the default 20 messages per second.
            "rate": 100,
            "concurrency": 16,
            "browser": {
                "page": f"{www}/",
                "open": "#chat-launcher",
                "input": "#chat-input",
                "reply": ".chat-message.bot",
            },
        },
        "load": LOAD,
        "monitor": {"interval": "60s", "alert_after": 2, "cert_warning": "14d"},
        "secrets": {"paths": [REPO_DIR], "history": True},
        "environments": {
            "required": f"{REPO_DIR}/.env.example",
            "files": {
                "production": f"{ENVS_DIR}/.env.production",
                "staging": f"{ENVS_DIR}/.env.staging",
            },
        },
        "owners": _owners(settings),
        "deploy": {
            "steps": ["git push origin main", "fly deploy"],
            "rollback": ["fly releases list", "fly deploy --image <previous>"],
        },
        "logs": {"access": [ACCESS_LOG], "app": [APP_LOG], "request_id": "X-Request-ID"},
        "database": {
            "url": f"sqlite:///{SHOP_DB}",
            "queries": [
                {
                    "name": "customer-orders",
                    "sql": CUSTOMER_ORDERS_SQL,
                    "params": [OTHER_CUSTOMER.email],
                },
                {"name": "order-status", "sql": ORDER_STATUS_SQL, "params": [1001]},
            ],
            "large_table_rows": 10_000,
        },
        "cloudflare": {
            "zone": settings.domain,
            "token": TOKEN_REFERENCE,
            "api_base": ports.cloudflare_api,
        },
        "network": {
            "nameservers": [f"127.0.0.1:{ports.dns}"],
            "resolve": _resolve_map(settings, ports),
            "ca_bundle": CA_FILE,
        },
    }
    if staging is not None:
        data["deploy"].update(deploy_fields(fixed, staging))
        data["dependencies"] = dependencies(staging)
        data["network"] = data.pop("network")  # network stays last, as a user writes it
    if fixed:
        data["monitor"]["notify"] = [f"mailto://founder@{settings.domain}"]
        data["deploy"]["secrets_store"] = "Fly secrets"
    return data


def _owners(settings: DemoSettings) -> dict[str, dict[str, str]]:
    founder = f"founder@{settings.domain}"
    owners = {
        "registrar": {"provider": "Namecheap", "owner": founder},
        "dns": {"provider": "Namecheap DNS", "owner": founder},
        "hosting": {"provider": "Fly.io", "owner": founder},
        "email": {"provider": "Google Workspace", "owner": founder},
        "deploy": {"provider": "GitHub Actions", "owner": founder},
    }
    if settings.fixed:
        # Nobody owned the uptime monitor in the flawed store.
        owners["monitoring"] = {"provider": "launchready monitor", "owner": founder}
    return owners


def _resolve_map(settings: DemoSettings, ports: Ports) -> dict[str, str]:
    resolve: dict[str, str] = {}
    for host in settings.https_hosts:
        resolve[f"{host}:443"] = f"127.0.0.1:{ports.https}"
        resolve[f"{host}:80"] = f"127.0.0.1:{ports.http}"
    return resolve
