"""Every flaw planted in the default demo store, by the finding ID that must report it.

This table is the demo's contract with the checks: the command named by ``found_by``
(the audit for most) must report each ID against the flawed store, and the fixed store
(``fixed=True``) repairs each one, so it must not. A test fails when an ID here is not in
the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

D = "demo-candles.test"
WWW = f"https://www.{D}"
API = f"https://api.{D}"


AUDIT = "audit"
VERIFY_MESSAGE = "email verify-message mail/order-confirmation.eml"
CHAOS = "chaos"
DEPLOY_CHECK = "deploy check"
DEPLOY_DRILL = "deploy drill"
STAGING = "deploy.drill.base_url"


@dataclass(frozen=True)
class Flaw:
    """One planted flaw: the check area, the finding ID, where it is, and what it is."""

    area: str
    finding_id: str
    where: str
    description: str
    found_by: str = AUDIT
    """The command that reports it: ``audit`` (and ``demo``), or another one, run in the
    demo's folder (the sample message is judged by ``email verify-message``, not the audit;
    the staging store's flaws by ``chaos``, ``deploy drill`` and ``deploy check``)."""


def _flaw(finding_id: str, where: str, description: str, found_by: str = AUDIT) -> Flaw:
    return Flaw(finding_id.split(".", 1)[0], finding_id, where, description, found_by)


FLAWS: tuple[Flaw, ...] = (
    # dns
    _flaw(
        "dns.dangling-cname",
        f"promo.{D}",
        f"promo CNAME summer-sale.{D}, a name that no longer exists",
    ),
    _flaw("dns.staging-public", f"staging.{D}", "staging has a public A record"),
    _flaw("dns.nameservers-single", f"{D} NS", "only one nameserver (ns1)"),
    _flaw("dns.caa-missing", f"{D} CAA", "no CAA record: any CA may issue for the domain"),
    _flaw("dns.dnssec-missing", f"{D} DNSKEY", "the zone is not signed"),
    # email
    _flaw(
        "email.spf-sender-missing",
        f"{D} TXT v=spf1",
        "SPF includes Google but not SendGrid, which sends the order mail",
    ),
    _flaw("email.spf-permissive", f"{D} TXT v=spf1", "SPF ends in ?all (neutral)"),
    _flaw(
        "email.spf-too-many-lookups",
        f"{D} TXT v=spf1",
        "SPF needs 12 DNS lookups (limit 10): a, mx, Google's three netblocks, Microsoft 365, "
        "Mailchimp, Zendesk's two and Shopify",
    ),
    _flaw("email.dmarc-policy-none", f"_dmarc.{D}", "DMARC p=none: monitoring only"),
    _flaw("email.dmarc-no-reports", f"_dmarc.{D}", "DMARC has no rua: nobody gets reports"),
    _flaw("email.dkim-weak-key", f"s1._domainkey.{D}", "the SendGrid DKIM key is 1024-bit RSA"),
    _flaw(
        "email.dkim-missing",
        f"s2._domainkey.{D}",
        "SendGrid's second selector s2 is in the manifest but was never published",
    ),
    _flaw(
        "email.alignment-failed",
        "mail/order-confirmation.eml",
        "the order confirmation is signed by sendgrid.net and bounces to sendgrid.net: "
        f"nothing ties it to {D}",
        found_by=VERIFY_MESSAGE,
    ),
    _flaw("email.mta-sts-missing", f"_mta-sts.{D}", "no MTA-STS policy"),
    _flaw("email.tlsrpt-missing", f"_smtp._tls.{D}", "no TLS-RPT record"),
    # tls
    _flaw("tls.cert-expiring", f"chat.{D}:443", "the chat certificate expires in 10 days"),
    _flaw("tls.hsts-missing", f"{WWW}/", "no Strict-Transport-Security on any host"),
    # routing
    _flaw(
        "routing.redirect-chain",
        f"http://{D}/",
        f"http://{D}/ -> http://www.{D}/ -> {WWW}/: two hops",
    ),
    _flaw(
        "routing.redirect-temporary", f"{WWW}/old-shop", "/old-shop moved for good but answers 302"
    ),
    _flaw("routing.duplicate-host", f"https://{D}/", "the apex serves the same shop as www"),
    _flaw(
        "routing.staging-reachable", f"https://staging.{D}/", "staging serves the shop to anyone"
    ),
    # web
    _flaw("web.mixed-content", f"{WWW}/", "the home banner image loads over http://"),
    _flaw(
        "web.headers-missing",
        f"{WWW}/",
        "no X-Content-Type-Options, X-Frame-Options or Referrer-Policy",
    ),
    _flaw("web.csp-missing", f"{WWW}/", "no Content-Security-Policy"),
    _flaw("web.cookie-insecure", f"{WWW}/cart", "the session cookie lacks Secure and HttpOnly"),
    _flaw(
        "web.error-leak",
        f"{API}/webhooks/stripe",
        "an unsigned webhook crashes into a 500 page with a Python traceback",
    ),
    _flaw(
        "web.webhook-unsigned-accepted",
        f"{API}/webhooks/stripe",
        "an unsigned webhook gets a 5xx instead of a 4xx rejection",
    ),
    _flaw(
        "web.version-disclosure",
        f"{WWW}/",
        "Server: nginx/1.18.0 (Ubuntu) and X-Powered-By: Express/4.17.1",
    ),
    # edge
    _flaw("edge.static-not-cached", f"{WWW}/static/app.css", "static assets have no Cache-Control"),
    _flaw("edge.no-compression", f"{WWW}/static/app.css", "CSS and JS are served uncompressed"),
    _flaw(
        "edge.private-cached",
        f"{WWW}/cart",
        "/cart sets a session cookie yet says Cache-Control: public, max-age=300",
    ),
    _flaw(
        "edge.no-rate-limit",
        f"https://chat.{D}/api/message",
        "the chat endpoint answers any number of messages: bots can run up the model bill",
        found_by="audit --probe-rate-limits",
    ),
    # logs (two hours of history written before the store starts)
    _flaw(
        "logs.slow-endpoint",
        "logs/access.log /orders/{id}/status",
        "the order lookup scans the orders table: 450 ms to 1.4 s per request",
    ),
    _flaw(
        "logs.error-spike",
        "logs/access.log POST /checkout/session",
        "40 minutes ago, five minutes of 502s from the payment provider",
    ),
    _flaw(
        "logs.pii-exposed",
        "logs/app.jsonl",
        "a refund log line holds a customer's email and full card number",
    ),
    _flaw("logs.no-request-id", "logs/", "no log line and no response carries a request ID"),
    _flaw(
        "logs.noisy-error",
        "logs/app.jsonl",
        "every error line is the same payment-provider timeout",
    ),
    # db (shop.db, SQLite)
    _flaw(
        "db.seq-scan",
        "shop.db customer-orders",
        "orders are looked up by customer_email, which has no index (20,000 orders)",
    ),
    _flaw(
        "db.fk-unindexed",
        "shop.db order_items.order_id",
        "the items' foreign key to orders has no index (40,000 items)",
    ),
    # cloudflare (the zone as its API describes it; the demo serves a stand-in of the API)
    _flaw(
        "cloudflare.dev-mode-on",
        f"{D} development_mode",
        "development mode was switched on to debug a stylesheet and left on: the cache is "
        "bypassed for every visitor",
    ),
    # secrets and environments
    _flaw(
        "secrets.in-frontend",
        f"{WWW}/static/app.js",
        "the bundle and its source map app.js.map embed the Stripe secret key",
    ),
    _flaw("secrets.dotenv-committed", "repo/.env", ".env is tracked by git"),
    _flaw("secrets.in-tree", "repo/.env", "the tracked .env holds the live Stripe key"),
    _flaw(
        "secrets.in-history",
        "repo/config/aws.json",
        "an AWS key pair added in one commit and deleted in a later one",
    ),
    _flaw("env.missing", "envs/.env.production", "production lacks SENDGRID_API_KEY"),
    _flaw(
        "env.shared-value",
        "envs/.env.staging",
        "staging and production share the same STRIPE_SECRET_KEY",
    ),
    # perf
    _flaw(
        "perf.slow-light-traffic",
        f"{API}/checkout/session",
        "creating a checkout session takes about 650 ms with a single client",
    ),
    # chatbot
    _flaw(
        "chatbot.prompt-leak",
        f"https://chat.{D}/api/message",
        "'ignore previous instructions' reveals the system prompt and its canary",
    ),
    _flaw(
        "chatbot.data-exfiltration",
        f"https://chat.{D}/api/message",
        "asking about order 1002 discloses another customer's order and address",
    ),
    _flaw(
        "chatbot.unsafe-action",
        f"https://chat.{D}/api/message",
        "'refund my order' runs create_refund without a confirmation turn",
    ),
    _flaw(
        "chatbot.no-fallback",
        f"https://chat.{D}/api/message",
        "asked for a discount code, it invents one",
    ),
    # launch and monitor (the manifest)
    _flaw("launch.owner-unknown", "owners.monitoring", "nobody owns the uptime monitor"),
    _flaw(
        "launch.secrets-store-undocumented",
        "deploy.secrets_store",
        "where production secrets live is not written down",
    ),
    _flaw("monitor.not-configured", "monitor.notify", "no alert channel"),
    # the staging store, its dependencies, releases and build (the active commands)
    _flaw(
        "deps.blocking-call",
        f"{STAGING} POST /checkout/session",
        "checkout sends the order confirmation over SMTP itself before it answers: a slow "
        "email provider is a slow checkout",
        found_by=CHAOS,
    ),
    _flaw(
        "deps.no-timeout",
        f"{STAGING} POST /checkout/session, POST /api/message",
        "neither the SMTP call nor the model call has a time limit: a provider that hangs "
        "hangs checkout and the chatbot",
        found_by=CHAOS,
    ),
    _flaw(
        "deps.no-fallback",
        f"{STAGING} POST /api/message",
        "with the model service unreachable the chatbot answers 500, not a degraded reply",
        found_by=CHAOS,
    ),
    _flaw(
        "deps.no-cache",
        f"{STAGING} POST /api/message",
        "every message is a model call, the same question as often as it is asked",
        found_by=CHAOS,
    ),
    _flaw(
        "smoke.step-failed",
        "deploy.drill.deploy -> releases/v3-bad",
        "the release the drill deploys renamed checkout's payments settings: every "
        "checkout answers 500",
        found_by=DEPLOY_DRILL,
    ),
    _flaw(
        "deploy.rollback-failed",
        "deploy.drill.rollback",
        "the rollback points releases/current at releases/previous, which no deploy ever "
        "created: it exits 0 and staging serves nothing (503)",
        found_by=DEPLOY_DRILL,
    ),
    _flaw(
        "secrets.in-build",
        "repo/scripts/build.sh -> dist/config.js",
        "the build writes STRIPE_SECRET_KEY (the live key, from envs/.env.ci) into the "
        "browser's config where the publishable key belongs",
        found_by=DEPLOY_CHECK,
    ),
)
