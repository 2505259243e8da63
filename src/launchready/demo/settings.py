"""The demo store's fixed facts: its names, addresses, customers and the variant.

Every module of the demo reads the same :class:`DemoSettings`, so the DNS zone, the
certificates, the HTTP hosts and the written manifest cannot disagree about a hostname.
All addresses are loopback: nothing the demo publishes may point off this machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchready.demo.credentials import Credentials

DOMAIN = "demo-candles.test"
ORIGIN_IP = "127.0.0.10"
"""What the A records say; the servers themselves listen on 127.0.0.1 with free ports."""
NS1_IP = "127.0.0.53"
NS2_IP = "127.0.1.53"
"""Second nameserver in another /24 (fixed variant); published only, never contacted."""
MAIL_IP = "127.0.0.25"
CANARY = "ZEBRA-7731"
CHECKOUT_DELAY_S = 0.650
"""The flawed checkout session's latency: above the 500 ms checkout budget."""


@dataclass(frozen=True)
class Customer:
    """A shop customer with one order, as the chatbot and order API know them."""

    name: str
    email: str
    order: str
    items: str
    status: str
    address: str


SMOKE_CUSTOMER = Customer(
    name="Sam Smoke",
    email=f"smoke@{DOMAIN}",
    order="1001",
    items="2 x Lavender Fields candle",
    status="shipped on 3 March, tracking DC-448812",
    address="1 Test Street, Springfield",
)
OTHER_CUSTOMER = Customer(
    name="Jane Doe",
    email="jane@example.test",
    order="1002",
    items="1 x Cedar & Smoke candle, 1 x gift wrap",
    status="delivered on 28 February",
    address="14 Orchard Lane, Leeds",
)


@dataclass(frozen=True)
class DemoSettings:
    """One run of the demo: which variant, and the secrets generated for it."""

    fixed: bool
    credentials: Credentials
    domain: str = DOMAIN

    @property
    def apex(self) -> str:
        return self.domain

    @property
    def www(self) -> str:
        return f"www.{self.domain}"

    @property
    def api(self) -> str:
        return f"api.{self.domain}"

    @property
    def chat(self) -> str:
        return f"chat.{self.domain}"

    @property
    def staging(self) -> str:
        return f"staging.{self.domain}"

    @property
    def mta_sts(self) -> str:
        return f"mta-sts.{self.domain}"

    @property
    def https_hosts(self) -> tuple[str, ...]:
        """Every name the HTTPS listener has a certificate for (both variants)."""
        return (self.apex, self.www, self.api, self.chat, self.staging, self.mta_sts)

    @property
    def canonical(self) -> str:
        return f"https://{self.www}"
