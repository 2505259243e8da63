"""Expanding rule examples into key-shaped text at test time.

No key-looking literal lives in the tree (scanners, push protection and our own pre-commit
hook would trip on them); ``rules.yaml`` writes ``sk_live_{rand24}`` and this fills it in.
"""

from __future__ import annotations

import random
import re
import string
import uuid

_ALPHABETS = {
    "rand": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "upper": string.ascii_uppercase + string.digits,
    "digits": string.digits,
    "lower": string.ascii_lowercase + string.digits,
    "b64_": string.ascii_letters + string.digits + "/+",
    "url": string.ascii_letters + string.digits + "-_",
}
_TOKEN = re.compile(r"\{(rand|hex|HEX|upper|digits|lower|b64_|url)(\d+)\}|\{uuid\}")


def expand(template: str, rng: random.Random | None = None) -> str:
    """``template`` with every ``{kindN}`` replaced by N random characters of that kind."""
    gen = rng or random.Random()

    def fill(m: re.Match[str]) -> str:
        if m.group(0) == "{uuid}":
            return str(uuid.UUID(int=gen.getrandbits(128), version=4))
        alphabet = _ALPHABETS[m.group(1)]
        return "".join(gen.choice(alphabet) for _ in range(int(m.group(2))))

    return _TOKEN.sub(fill, template)
