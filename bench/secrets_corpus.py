"""Build the secret-scanner benchmark corpus: real package source plus planted secrets and decoys.

    python bench/secrets_corpus.py            # >= 220 MB in /tmp/launchready-secrets-corpus
    python bench/secrets_corpus.py --quick    # ~25 MB in /tmp/launchready-secrets-corpus-quick

The source is the text files (``.py``, ``.js``, ``.json``, ``.po``, ...) of wheels of large
packages fetched with ``pip download --no-deps --only-binary :all:`` (sdists would need a
metadata build, which fails for numpy and scipy). Into that tree it plants ``--planted``
secrets of the kinds a store leaks (Stripe, AWS key id and secret, GitHub, Slack, SendGrid,
OpenAI, Anthropic, PEM private keys, a Postgres URL with a password, a generic ``api_key``),
each made at build time from random characters (no secret value is written in this file),
in ``.py``, ``.js``, ``.env``, ``.yaml`` and ``.json`` files: half inserted at a random line
of an existing file, half in new config-like files at random places. It also writes
``--decoys`` look-alikes that a scanner must not report: publishable Stripe keys, the AWS
documentation example keys, placeholders, environment references, UUIDs, lockfile sha512
integrity hashes and ``data:`` URIs.

Two manifests sit at the corpus root, outside the scanned tree ``src/``: ``planted.json`` and
``decoys.json``, lists of ``{"file", "line", "kind", "sha256"}`` (file relative to ``src/``,
1-based line, the SHA-256 of the value), so recall and false alarms can be computed without
keeping any value. The build is deterministic for a given ``--seed`` and package set.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import random
import shutil
import string
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_CACHE = Path("/tmp/launchready-secrets-corpus")
# Wheels in the order they are added until the corpus is large enough.
PACKAGES = [
    "django",
    "sqlalchemy",
    "sympy",
    "pandas",
    "scipy",
    "numpy",
    "plotly",
    "kubernetes",
    "botocore",
    "networkx",
    "matplotlib",
]
QUICK_PACKAGES = ["django", "sqlalchemy"]
TEXT_SUFFIXES = {
    ".py",
    ".pyi",
    ".pyx",
    ".pxd",
    ".js",
    ".mjs",
    ".ts",
    ".json",
    ".txt",
    ".rst",
    ".md",
    ".html",
    ".css",
    ".yaml",
    ".yml",
    ".cfg",
    ".toml",
    ".ini",
    ".po",
    ".sql",
    ".c",
    ".h",
    ".svg",
    ".xml",
    ".csv",
}
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
BASE32 = string.ascii_uppercase + "234567"


@dataclass
class Entry:
    """One planted secret or decoy: where it is and a hash of its value."""

    file: str
    line: int
    kind: str
    sha256: str


@dataclass
class Item:
    """A value to write: its kind, the variable name and the value (possibly several lines)."""

    kind: str
    name: str
    value: str


# ---------------------------------------------------------------- secret generators


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62(number: int, width: int) -> str:
    digits = string.digits + string.ascii_uppercase + string.ascii_lowercase
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = digits[rest] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random) -> str:
    """A ``ghp_`` token with a valid CRC32 check (the last six characters), as GitHub makes."""
    body = rand(rng, ALNUM, 30)
    return "ghp_" + body + base62(binascii.crc32(body.encode()), 6)


def pem_key(rng: random.Random) -> str:
    """A real private key (RSA in PKCS#1 or EC in PKCS#8) made with ``cryptography``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if rng.random() < 0.5:
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        fmt = serialization.PrivateFormat.PKCS8
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    return pem.decode().strip()


def slack_token(rng: random.Random) -> str:
    return "-".join(
        ["xoxb", rand(rng, string.digits, 12), rand(rng, string.digits, 13), rand(rng, ALNUM, 24)]
    )


SECRETS: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "stripe-secret": ("stripe_secret_key", lambda r: "sk_live_" + rand(r, ALNUM, 24)),
    "aws-key": (
        "aws_access_key_id",
        lambda r: "AKIA" + rand(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    ),
    "github-pat": ("github_token", github_token),
    "slack-bot": ("slack_bot_token", slack_token),
    "sendgrid": (
        "sendgrid_api_key",
        lambda r: "SG." + rand(r, URLSAFE, 22) + "." + rand(r, URLSAFE, 43),
    ),
    "openai": (
        "openai_api_key",
        lambda r: "sk-proj-" + rand(r, URLSAFE, 74) + "T3BlbkFJ" + rand(r, URLSAFE, 74),
    ),
    "anthropic": (
        "anthropic_api_key",
        lambda r: "sk-ant-api03-" + rand(r, URLSAFE, 93) + "AA",
    ),
    "private-key": ("private_key", pem_key),
    "postgres-url": (
        "database_url",
        lambda r: (
            f"postgres://shop_{rand(r, string.ascii_lowercase, 5)}:{rand(r, ALNUM, 20)}"
            f"@db-{rand(r, string.ascii_lowercase + string.digits, 8)}.internal:5432/store"
        ),
    ),
    "generic-api-key": ("api_key", lambda r: rand(r, ALNUM, 40)),
}


def secret_items(rng: random.Random, kind: str) -> list[Item]:
    """The items of one planted secret; an AWS key comes with its secret on the next line."""
    name, make = SECRETS[kind]
    items = [Item(kind, name, make(rng))]
    if kind == "aws-key":
        items.append(Item("aws-secret", "aws_secret_access_key", rand(rng, B64, 40)))
    return items


# ---------------------------------------------------------------- decoy generators

# Assembled so that no scanner finds the AWS documentation example in this file itself.
AWS_EXAMPLE_ID = "AKIA" + "IOSFODNN7" + "EXAMPLE"
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLEKEY"


def decoy_items(rng: random.Random, kind: str) -> list[Item]:
    """One decoy: a value that looks like a secret but is not one."""
    if kind == "stripe-publishable":
        return [Item(kind, "stripe_publishable_key", "pk_live_" + rand(rng, ALNUM, 24))]
    if kind == "aws-example":
        return [
            Item(kind, "aws_access_key_id", AWS_EXAMPLE_ID),
            Item(kind, "aws_secret_access_key", AWS_EXAMPLE_SECRET),
        ]
    if kind == "placeholder":
        name, value = rng.choice(
            [
                ("api_key", "your-key-here"),
                ("api_key", "<your-api-key>"),
                ("stripe_secret_key", "sk_live_" + "x" * 24),
                ("api_secret", "x" * 32),
                ("openai_api_key", "sk-..."),
                ("password", "changeme"),
            ]
        )
        return [Item(kind, name, value)]
    if kind == "env-reference":
        return [Item(kind, "stripe_secret_key", "${STRIPE_SECRET_KEY}")]
    if kind == "uuid":
        return [
            Item(
                kind,
                rng.choice(["order_id", "request_id", "tenant_id"]),
                str(uuid.UUID(int=rng.getrandbits(128))),
            )
        ]
    if kind == "sha512-integrity":
        digest = base64.b64encode(rng.randbytes(64)).decode()
        return [Item(kind, "integrity", "sha512-" + digest)]
    if kind == "data-uri":
        png = b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(120, 300))
        return [Item(kind, "logo", "data:image/png;base64," + base64.b64encode(png).decode())]
    raise ValueError(kind)


DECOY_KINDS = [
    "stripe-publishable",
    "aws-example",
    "placeholder",
    "env-reference",
    "uuid",
    "sha512-integrity",
    "data-uri",
]


# ---------------------------------------------------------------- rendering


def render(item: Item, suffix: str) -> list[str]:
    """Lines that assign ``item`` in the style of a ``suffix`` file; the value starts on line 0."""
    name, value = item.name, item.value
    multiline = "\n" in value
    if item.kind == "env-reference":
        # An environment reference is spelled the way each language reads the environment.
        env = name.upper()
        return {
            ".py": [f'{name.upper()} = os.environ["{env}"]'],
            ".js": [f"const {camel(name)} = process.env.{env};"],
            ".env": [f"{env}=${{{env}}}"],
            ".yaml": [f"{name}: ${{{env}}}"],
            ".json": [f'  "{name}": "${{{env}}}",'],
        }[suffix]
    if suffix == ".py":
        if multiline:
            return f'{name.upper()} = """{value}\n"""'.split("\n")
        return [f'{name.upper()} = "{value}"']
    if suffix == ".js":
        if multiline:
            return f"const {camel(name)} = `{value}\n`;".split("\n")
        return [f'const {camel(name)} = "{value}";']
    if suffix == ".env":
        if multiline:
            return f'{name.upper()}="{value}\n"'.split("\n")
        return [f"{name.upper()}={value}"]
    if suffix == ".yaml":
        if multiline:
            return [f"{name}: |"] + ["  " + line for line in value.split("\n")]
        return [f'{name}: "{value}"']
    if suffix == ".json":
        return [f"  {json.dumps(name)}: {json.dumps(value + chr(10) if multiline else value)},"]
    raise ValueError(suffix)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


FILLER = {
    ".py": [
        "import os",
        "",
        "DEBUG = False",
        'ALLOWED_HOSTS = ["shop.example.com"]',
        "TIMEOUT = 30",
    ],
    ".js": ['"use strict";', "", "const region = 'eu-west-1';", "const retries = 3;"],
    ".env": ["NODE_ENV=production", "PORT=8080", "LOG_LEVEL=info"],
    ".yaml": ["service: storefront", "replicas: 2", "region: eu-west-1"],
    ".json": [],
}
NEW_NAMES = {
    ".py": ["settings_local.py", "config_prod.py", "deploy_keys.py"],
    ".js": ["config.prod.js", "keys.js", "payment.config.js"],
    ".env": [".env", ".env.production", "shop.env"],
    ".yaml": ["secrets.yaml", "deploy.yaml", "values-prod.yaml"],
    ".json": ["credentials.json", "service-account.json", "appsettings.json"],
}
SUFFIXES = [".py", ".js", ".env", ".yaml", ".json"]


def new_file(rng: random.Random, dirs: list[Path], src: Path, suffix: str) -> Path:
    for _ in range(100):
        path = rng.choice(dirs) / rng.choice(NEW_NAMES[suffix])
        if not path.exists():
            return path
    path = rng.choice(dirs) / f"extra_{rng.getrandbits(32):08x}{suffix}"
    return path if suffix != ".env" else path.with_name(path.stem + ".env")


def write_new(path: Path, rng: random.Random, groups: list[list[str]], suffix: str) -> list[int]:
    """Write filler lines with each group at a random place; return each group's 1-based line."""
    filler = FILLER[suffix]
    lines: list[str] = ["{"] if suffix == ".json" else []
    starts = []
    for group in groups:
        for _ in range(rng.randint(1, 6)):
            lines.append(rng.choice(filler) if filler else '  "version": 2,')
        starts.append(len(lines) + 1)
        lines.extend(group)
    if suffix == ".json":
        lines.append('  "region": "eu-west-1"')
        lines.append("}")
    path.write_text("\n".join(lines) + "\n")
    return starts


def insert_into(path: Path, rng: random.Random, group: list[str]) -> int:
    """Insert ``group`` at a random line boundary of an existing file; return its 1-based line."""
    lines = path.read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    at = rng.randint(0, max(0, len(lines) - 1))
    lines[at:at] = group
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogateescape")
    return at + 1


def plant(
    rng: random.Random,
    src: Path,
    items_for: Callable[[int], list[Item]],
    count: int,
    taken: set[Path],
) -> list[Entry]:
    """Plant ``count`` groups of items; half in existing files, half in new ones."""
    dirs = sorted({p.parent for p in src.rglob("*") if p.is_file()})
    by_suffix: dict[str, list[Path]] = {".py": [], ".js": []}
    for p in src.rglob("*"):
        if p.suffix in by_suffix and p.is_file() and p.stat().st_size < 2_000_000:
            by_suffix[p.suffix].append(p)
    for paths in by_suffix.values():
        paths.sort()
    entries: list[Entry] = []
    for i in range(count):
        items = items_for(i)
        suffix = SUFFIXES[i % len(SUFFIXES)]
        group = [line for item in items for line in render(item, suffix)]
        offsets, at = [], 0
        for item in items:
            offsets.append(at)
            at += len(render(item, suffix))
        existing = [p for p in by_suffix.get(suffix, []) if p not in taken]
        if suffix in by_suffix and existing and rng.random() < 0.5:
            path = rng.choice(existing)
            start = insert_into(path, rng, group)
        else:
            path = new_file(rng, dirs, src, suffix)
            start = write_new(path, rng, [group], suffix)[0]
        taken.add(path)
        rel = str(path.relative_to(src))
        for item, offset in zip(items, offsets, strict=True):
            digest = hashlib.sha256(item.value.encode()).hexdigest()
            entries.append(Entry(rel, start + offset, item.kind, digest))
    return entries


# ---------------------------------------------------------------- source tree


def download(packages: list[str], wheels: Path) -> None:
    wheels.mkdir(parents=True, exist_ok=True)
    have = {w.name.split("-")[0].lower() for w in wheels.glob("*.whl")}
    missing = [p for p in packages if p.lower() not in have]
    if missing:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
        subprocess.run([*command, "-d", str(wheels), *missing], check=True)


def unpack(wheels: Path, packages: list[str], src: Path, target: int) -> int:
    """Unpack the text files of the wheels, in order, until ``target`` bytes; return the bytes."""
    total = 0
    for package in packages:
        if total >= target:
            break
        (wheel,) = [w for w in wheels.glob("*.whl") if w.name.split("-")[0].lower() == package]
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.is_dir() or Path(info.filename).suffix not in TEXT_SUFFIXES:
                    continue
                dest = src / package / info.filename
                dest.parent.mkdir(parents=True, exist_ok=True)
                data = archive.read(info)
                dest.write_bytes(data)
                total += len(data)
    return total


def corpus_bytes(src: Path) -> tuple[int, int]:
    files = [p for p in src.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def build(root: Path, *, quick: bool, planted: int, decoys: int, seed: int, min_mb: int) -> Path:
    """Build (or rebuild) the corpus at ``root``; return ``root``."""
    packages = QUICK_PACKAGES if quick else PACKAGES
    target = (20 if quick else min_mb) * 1_000_000
    wheels = root.parent / "launchready-secrets-wheels"
    download(packages, wheels)
    src = root / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    unpacked = unpack(wheels, packages, src, target)
    if unpacked < target:
        sys.exit(f"only {unpacked / 1e6:.0f} MB of text; add packages to PACKAGES")
    rng = random.Random(seed)
    taken: set[Path] = set()
    kinds = list(SECRETS)
    secrets = plant(rng, src, lambda i: secret_items(rng, kinds[i % len(kinds)]), planted, taken)
    fakes = plant(
        rng, src, lambda i: decoy_items(rng, DECOY_KINDS[i % len(DECOY_KINDS)]), decoys, taken
    )
    (root / "planted.json").write_text(json.dumps([asdict(e) for e in secrets], indent=1))
    (root / "decoys.json").write_text(json.dumps([asdict(e) for e in fakes], indent=1))
    size, files = corpus_bytes(src)
    print(
        f"corpus {src}: {size / 1e6:.1f} MB in {files} files; "
        f"{len(secrets)} planted values, {len(fakes)} decoy values"
    )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help=f"corpus root (default {DEFAULT_CACHE})")
    parser.add_argument("--quick", action="store_true", help="a ~20 MB corpus")
    parser.add_argument("--planted", type=int, default=200, help="files with planted secrets")
    parser.add_argument("--decoys", type=int, default=140, help="decoy groups")
    parser.add_argument("--min-mb", type=int, default=220, help="minimum corpus size (MB)")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    root = args.cache or default_root(args.quick)
    build(
        root,
        quick=args.quick,
        planted=args.planted,
        decoys=args.decoys,
        seed=args.seed,
        min_mb=args.min_mb,
    )


def default_root(quick: bool) -> Path:
    return DEFAULT_CACHE.with_name(DEFAULT_CACHE.name + "-quick") if quick else DEFAULT_CACHE


if __name__ == "__main__":
    main()
