"""The incident note: what to check first, in order, when something breaks at 3 a.m.

Four outages a small store meets most (site down, emails in spam, checkout slow, chatbot
misbehaving), each as a short ordered list where every step that launchready can check
names the command that checks it, and every step that needs a person names whose account
it is. Filled from the manifest: the health route's URL, the providers, the rollback.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchready.manifest import Manifest
from launchready.manifest.models import Owner, Owners


@dataclass(frozen=True)
class Step:
    what: str
    command: str | None = None


@dataclass(frozen=True)
class Scenario:
    title: str
    steps: tuple[Step, ...]


def scenarios(manifest: Manifest) -> tuple[Scenario, ...]:
    owners = manifest.owners or Owners()
    health = next((r for r in manifest.routes if r.health), None)
    checkout = [r.name for r in manifest.routes if r.checkout]
    rollback = manifest.deploy.rollback if manifest.deploy else []
    site_down = Scenario(
        "Site down",
        (
            Step("Which routes fail, and how", "launchready smoke"),
            Step(
                f"Is the app itself up: open {health.url}" if health else "Is the app itself up",
                None,
            ),
            Step("Do DNS and the certificate still answer", "launchready audit --only dns,tls"),
            Step(f"Provider status and recent changes: {_who(owners.hosting, owners.cdn)}"),
            Step(
                "A deploy just went out: roll back ("
                + ("; ".join(rollback) if rollback else "no rollback written down")
                + "), then verify",
                "launchready smoke",
            ),
        ),
    )
    spam = Scenario(
        "Emails in spam",
        (
            Step("SPF, DKIM and DMARC as published", "launchready audit --only email"),
            Step(
                "A real order mail: signature and alignment (save it as .eml)",
                "launchready email verify-message order.eml",
            ),
            Step(f"Records live at the DNS account: {_who(owners.dns)}"),
            Step(f"Bounces and blocks at the sending provider: {_who(owners.email)}"),
        ),
    )
    slow = Scenario(
        "Checkout slow",
        (
            Step(
                "Which route is over budget" + (f" ({', '.join(checkout)})" if checkout else ""),
                "launchready audit --only perf",
            ),
            Step("Under realistic load, on staging", "launchready load --users 20 --duration 2m"),
            Step("Third-party calls (payments, shipping) and their timeouts"),
            Step(f"Hosting resources and recent deploys: {_who(owners.hosting, owners.deploy)}"),
        ),
    )
    chatbot = Scenario(
        "Chatbot misbehaving",
        (
            Step("Does it answer, and within its budget", "launchready smoke"),
            Step(
                "Leaks, other customers' data, unconfirmed refunds, made-up answers",
                "launchready redteam",
            ),
            Step("Hide the widget or switch to the human fallback until it passes"),
            Step("The model provider's status and the bot's recent prompt changes"),
        ),
    )
    found = [site_down, spam, slow]
    if manifest.chatbot is not None:
        found.append(chatbot)
    return tuple(found)


def _who(*owners: Owner | None) -> str:
    named = [f"{o.provider} ({o.owner})" for o in owners if o is not None]
    return ", ".join(named) if named else "owner not written down"
