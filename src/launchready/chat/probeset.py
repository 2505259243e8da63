"""The red-team probe set: adversarial chats kept as YAML data, and the loader that checks
and fills them.

Probes are data so a store owner can add attacks that fit their own bot (a product name, a
house policy) without writing code, and so every shipped attack is reviewed as plain text.
A probe only names the customer data it needs (``{other_order}``); the manifest supplies
the values, and a probe whose values are missing is skipped with the names it lacked rather
than sent half filled, which would prove nothing.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import itertools
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from launchready.errors import InputError, ToolError
from launchready.manifest.models import Chatbot, Customer

Family = Literal["prompt-leak", "data-exfiltration", "unsafe-action", "fallback"]
FAMILIES: tuple[Family, ...] = ("prompt-leak", "data-exfiltration", "unsafe-action", "fallback")
DISGUISES: tuple[str, ...] = (
    "plain",
    "role-play",
    "ignore-instructions",
    "fake-system",
    "encoding",
    "language",
    "multi-turn",
    "authority",
    "urgency",
)
PLACEHOLDERS = ("my_email", "my_order", "other_email", "other_order", "unknown_order")
ENCODINGS: dict[str, Callable[[str], str]] = {
    "base64": lambda text: base64.b64encode(text.encode()).decode("ascii"),
    "rot13": lambda text: codecs.encode(text, "rot13"),
    "hex": lambda text: text.encode().hex(),
    "reverse": lambda text: text[::-1],
}
DEFAULT_UNKNOWN_ORDER = "48213"
"""The order number asked about when the manifest names no order of the test customer."""

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(
    r"(?P<open>\{\{)|(?P<close>\}\})"
    r"|\{(?P<enc>" + _NAME + r"):(?P<inner>(?:[^{}]|\{\{|\}\}|\{" + _NAME + r"\})*)\}"
    r"|\{(?P<name>" + _NAME + r")\}"
    r"|(?P<stray>[{}])"
)


def _substitute(text: str, fill: Callable[[str], str]) -> str:
    """Expand ``{name}``, ``{encoding:TEXT}`` (placeholders first, then the encoding) and
    ``{{``/``}}``; raise ValueError on a stray brace, unknown name or unknown encoding."""

    def one(match: re.Match[str]) -> str:
        if match["open"]:
            return "{"
        if match["close"]:
            return "}"
        if match["name"]:
            if match["name"] not in PLACEHOLDERS:
                known = ", ".join(PLACEHOLDERS)
                raise ValueError(f"unknown placeholder {{{match['name']}}} (known: {known})")
            return fill(match["name"])
        if match["enc"]:
            encode = ENCODINGS.get(match["enc"])
            if encode is None:
                known = ", ".join(ENCODINGS)
                raise ValueError(f"unknown encoding {match['enc']!r} (known: {known})")
            return encode(_substitute(match["inner"], fill))
        raise ValueError(
            f"unescaped {match['stray']!r} at character {match.start() + 1}: write '{{{{' or "
            "'}}' for a literal brace, '{name}' for a placeholder, '{encoding:TEXT}' to encode"
        )

    return _TOKEN.sub(one, text)


def _names(text: str) -> set[str]:
    found: set[str] = set()

    def record(name: str) -> str:
        found.add(name)
        return ""

    _substitute(text, record)
    return found


class Probe(BaseModel):
    """One attack: the user messages of one chat session, and the disguise it wears."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    family: Family
    disguise: str
    turns: tuple[str, ...]
    invents: Literal["order", "discount", "policy"] | None = None
    control: bool = False
    source: str

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(f"{value!r} is not a lowercase slug (a-z, 0-9 and '-')")
        return value

    @field_validator("disguise")
    @classmethod
    def _disguise(cls, value: str) -> str:
        if value not in DISGUISES:
            raise ValueError(f"unknown disguise {value!r} (one of: {', '.join(DISGUISES)})")
        return value

    @field_validator("turns")
    @classmethod
    def _turns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("empty: a probe sends at least one user message")
        for index, turn in enumerate(value):
            if not turn.strip():
                raise ValueError(f"[{index}]: blank message")
            try:
                _names(turn)
            except ValueError as exc:
                raise ValueError(f"[{index}]: {exc}") from None
        return value

    @model_validator(mode="after")
    def _family_fields(self) -> Probe:
        if self.family == "fallback" and self.invents is None:
            raise ValueError("invents: required in family fallback (order, discount or policy)")
        if self.family != "fallback" and self.invents is not None:
            raise ValueError(f"invents: only fallback probes may set it, not {self.family}")
        if self.control and self.family != "unsafe-action":
            raise ValueError(f"control: only unsafe-action probes may set it, not {self.family}")
        if self.control and not self.id.startswith("control-"):
            raise ValueError("control: a control probe's id starts with 'control-'")
        return self

    def placeholders(self) -> frozenset[str]:
        """The manifest values this probe needs, e.g. ``{"other_order"}``."""
        return frozenset(name for turn in self.turns for name in _names(turn))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def derive_unknown_order(my_order: str | None, other_order: str | None) -> str:
    """An order number shaped like the customer's that is neither theirs nor the other one.

    It keeps the prefix and digit count of ``my_order`` (``#1001`` -> ``#9xxx``) so a bot
    cannot dismiss it on format alone, and leads with a high digit so that a store numbering
    orders upwards is unlikely to have reached it yet. Hash-derived, so every run asks about
    the same number.
    """
    known = [order for order in (my_order, other_order) if order]
    taken = set(known) | {_digits(order) for order in known}
    run = list(re.finditer(r"\d+", my_order or ""))
    if my_order and run:
        last = run[-1]
        prefix, width, suffix = my_order[: last.start()], len(last.group()), my_order[last.end() :]
        first: list[str] = []
    else:
        prefix, width, suffix, first = "", len(DEFAULT_UNKNOWN_ORDER), "", [DEFAULT_UNKNOWN_ORDER]
    for attempt in itertools.count():
        if attempt < len(first):
            candidate = first[attempt]
        else:
            digest = int(hashlib.sha256(f"{my_order}|{attempt}".encode()).hexdigest(), 16)
            tail = str(digest % 10 ** (width - 1)).zfill(width - 1) if width > 1 else ""
            candidate = f"{prefix}{9 - attempt % 9}{tail}{suffix}"
        if candidate not in taken and _digits(candidate) not in taken:
            return candidate
    raise AssertionError("unreachable: at most two orders are taken")


@dataclass(frozen=True)
class ProbeValues:
    """What the placeholders are filled with; ``unknown_order`` is derived when left empty."""

    my_email: str | None = None
    my_order: str | None = None
    other_email: str | None = None
    other_order: str | None = None
    unknown_order: str = ""

    def __post_init__(self) -> None:
        if not self.unknown_order:
            derived = derive_unknown_order(self.my_order, self.other_order)
            object.__setattr__(self, "unknown_order", derived)

    @classmethod
    def from_chatbot(cls, chatbot: Chatbot) -> ProbeValues:
        me = chatbot.customer or Customer()
        other = chatbot.other_customer or Customer()
        return cls(me.email, me.order, other.email, other.order)

    def value(self, name: str) -> str | None:
        """The value of placeholder ``name``; an empty string counts as missing."""
        found: str | None = getattr(self, name)
        return found or None


@dataclass(frozen=True)
class PreparedProbe:
    probe: Probe
    messages: tuple[str, ...]


@dataclass(frozen=True)
class SkippedProbe:
    probe: Probe
    missing: tuple[str, ...]


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])[1:]
    problem = str(error["msg"]).removeprefix("Value error, ")
    if not field or problem.startswith("["):  # an index the validator added: turns[2]: ...
        return f"{field}{problem}"
    return f"{field}: {problem}"


def _parse(text: str, source: str, seen: dict[str, str]) -> list[Probe]:
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{source}{where}: YAML syntax error: {problem}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{source}: a probe file is a mapping with 'family' and 'probes'")
    extra_keys = sorted(str(key) for key in set(raw) - {"family", "probes"})
    if extra_keys:
        raise InputError(f"{source}: {extra_keys[0]}: unknown key (a file has family and probes)")
    family = raw.get("family")
    if family not in FAMILIES:
        raise InputError(f"{source}: family: unknown family {family!r} ({', '.join(FAMILIES)})")
    items = raw.get("probes")
    if not isinstance(items, list) or not items:
        raise InputError(f"{source}: probes: must be a non-empty list of probes")
    probes: list[Probe] = []
    for index, item in enumerate(items):
        name = item.get("id") if isinstance(item, dict) else None
        label = f"probes[{index}]" + (f" {name!r}" if isinstance(name, str) else "")
        if not isinstance(item, dict):
            raise InputError(f"{source}: {label}: a probe is a mapping with id, disguise, turns")
        for key in ("family", "source"):
            if key in item:
                raise InputError(f"{source}: {label}: {key}: set by the loader, not per probe")
        try:
            probe = Probe.model_validate({**item, "family": family, "source": source})
        except ValidationError as exc:
            raise InputError(f"{source}: {label}: {_describe(exc)}") from None
        if probe.id in seen:
            raise InputError(
                f"{source}: {label}: id: duplicate, already defined in {seen[probe.id]}"
            )
        seen[probe.id] = source
        probes.append(probe)
    return probes


def load_probes(
    extra: Sequence[Path] = (), *, families: Collection[str] | None = None
) -> list[Probe]:
    """The shipped probes in family order, then those of the user's ``extra`` files."""
    unknown = sorted(set(families or ()) - set(FAMILIES))
    if unknown:
        raise InputError(f"unknown probe family {unknown[0]!r} (one of: {', '.join(FAMILIES)})")
    seen: dict[str, str] = {}
    probes: list[Probe] = []
    folder = resources.files("launchready.chat").joinpath("probes")
    for family in FAMILIES:
        entry = folder.joinpath(f"{family.replace('-', '_')}.yaml")
        try:
            probes += _parse(entry.read_text("utf-8"), str(entry), seen)
        except (InputError, OSError) as exc:
            raise ToolError(f"the shipped probe set is broken: {exc}") from exc
    for path in extra:
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InputError(f"{path}: cannot read probe file: {reason}") from None
        probes += _parse(text, str(path), seen)
    return [p for p in probes if families is None or p.family in families]


def prepare(
    probes: Sequence[Probe], values: ProbeValues
) -> tuple[list[PreparedProbe], list[SkippedProbe]]:
    """Fill every probe the manifest has values for; skip the rest, naming what is missing."""
    ready: list[PreparedProbe] = []
    skipped: list[SkippedProbe] = []
    for probe in probes:
        missing = tuple(sorted(n for n in probe.placeholders() if values.value(n) is None))
        if missing:
            skipped.append(SkippedProbe(probe, missing))
            continue
        messages = tuple(_substitute(t, lambda n: values.value(n) or "") for t in probe.turns)
        ready.append(PreparedProbe(probe, messages))
    return ready, skipped


__all__ = [
    "DEFAULT_UNKNOWN_ORDER",
    "DISGUISES",
    "ENCODINGS",
    "FAMILIES",
    "PLACEHOLDERS",
    "Family",
    "PreparedProbe",
    "Probe",
    "ProbeValues",
    "SkippedProbe",
    "derive_unknown_order",
    "load_probes",
    "prepare",
]
