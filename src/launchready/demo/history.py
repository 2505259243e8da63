"""Two hours of the demo store's past traffic, written before it starts serving.

Log analysis needs traffic that a minute-old demo has not had, so the store's logs begin
with the history a small shop's logs would hold. The flawed store's history shows what the
roadmap names: a slow order-lookup endpoint, a burst of 5xx on checkout, a customer's email
and card number in application log lines, no request IDs anywhere, and one error message
drowning out the rest. The fixed store's history has fast lookups, no burst, no customer
data, and a request ID on every line (nginx's ``$request_id`` after the request time).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from launchready.demo.accesslog import time_local
from launchready.demo.settings import OTHER_CUSTOMER

SPAN = timedelta(hours=2)
REQUESTS = 1_200
BURST_AGO = timedelta(minutes=40)
"""The flawed store's 5xx burst: five minutes of failing checkouts, this long ago."""
PATHS = (
    ("GET", "/", 0.02),
    ("GET", "/products/lavender", 0.03),
    ("GET", "/cart", 0.04),
    ("POST", "/checkout/session", 0.12),
    ("GET", "/orders/{order}/status", 0.05),
    ("GET", "/healthz", 0.002),
)
SLOW_LOOKUP_S = (0.45, 1.4)
"""The flawed order lookup: a full scan of the orders table per request."""
AGENT = "Mozilla/5.0 (X11; Linux x86_64) demo-shopper"
CARD = "4242 4242 4242 4242"
"""Stripe's test Visa number: Luhn-valid, as a real card in a log line would be."""


def write_history(access_log: Path, app_log: Path, *, fixed: bool, now: datetime) -> None:
    rng = random.Random(7)
    start = now - SPAN
    access: list[str] = []
    for index in range(REQUESTS):
        at = start + SPAN * index / REQUESTS
        method, path, typical = PATHS[index % len(PATHS)]
        order = str(1001 + rng.randrange(20_000))
        seconds = typical * rng.uniform(0.5, 1.5)
        if "{order}" in path and not fixed:
            seconds = rng.uniform(*SLOW_LOOKUP_S)
        status = 201 if method == "POST" else 200
        in_burst = timedelta(0) <= (now - BURST_AGO) - at < timedelta(minutes=5)
        if not fixed and in_burst and path == "/checkout/session":
            status = 502
        request = f"{method} {path.replace('{order}', order)} HTTP/1.1"
        line = (
            f'203.0.113.{index % 200 + 1} - - [{time_local(at)}] "{request}" {status} '
            f'{512 + index % 700} "-" "{AGENT}" {seconds:.3f}'
        )
        if fixed:
            line += f" {rng.getrandbits(128):032x}"
        access.append(line)
    access_log.parent.mkdir(parents=True, exist_ok=True)
    access_log.write_text("\n".join(access) + "\n", encoding="utf-8")
    app_log.write_text("\n".join(_app_lines(rng, start, fixed)) + "\n", encoding="utf-8")


def _app_lines(rng: random.Random, start: datetime, fixed: bool) -> list[str]:
    lines = []
    for index in range(240):
        at = start + SPAN * index / 240
        entry: dict[str, str] = {"time": at.isoformat(), "level": "info"}
        if index % 4 == 0:
            entry["level"] = "error"
            if fixed:
                entry["message"] = rng.choice(
                    (
                        f"shipping quote failed for cart c-{index}",
                        f"payment declined for session cs_{index:04d}",
                        f"inventory sync retry {index % 3} of 3",
                    )
                )
            else:  # one template drowns out the rest
                entry["message"] = f"payment provider timeout after 30000 ms for cart c-{index}"
        else:
            entry["message"] = f"order {1001 + index} status viewed"
        if not fixed and index == 97:
            entry["message"] = (
                f"refund requested by {OTHER_CUSTOMER.email} with card {CARD} for order "
                f"{OTHER_CUSTOMER.order}"
            )
        if fixed:
            entry["request_id"] = f"{rng.getrandbits(128):032x}"
        lines.append(json.dumps(entry))
    return lines
