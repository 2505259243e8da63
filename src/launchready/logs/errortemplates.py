"""Error templates: thousands of error lines as the handful of messages they really are.

``Payment failed for order 1001`` and ``... order 1002`` are one problem. Variables are
masked first in polars (numbers, IDs, addresses, emails, credential values), which also
collapses most repeats into one distinct message per chunk; drain3 then clusters the
distinct messages into templates, each weighted by how often it occurred. So drain3, a
Python library, sees thousands of distinct messages rather than millions of lines.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl
from drain3 import TemplateMiner  # type: ignore[import-untyped]
from drain3.template_miner_config import TemplateMinerConfig  # type: ignore[import-untyped]

from launchready.logs.exposure import CREDENTIAL, EMAIL

ERROR_LEVELS = frozenset(
    {"error", "err", "critical", "crit", "fatal", "alert", "emerg", "emergency", "panic", "severe"}
)
TOP = 5
"""The report lists the five most frequent templates."""
MESSAGE_LIMIT = 500
"""Characters of a message that drain3 sees: a stack trace pasted into one line would
otherwise make every occurrence its own template."""
MASKS: tuple[tuple[str, str], ...] = (
    (CREDENTIAL, " <SECRET>"),
    (EMAIL, "<EMAIL>"),
    (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "<UUID>"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "<IP>"),
    (r"\b(?:0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b", "<HEX>"),
    (r"\d+(?:[.,:]\d+)*", "<NUM>"),
)
"""Variable parts, most specific first, as polars regexes."""


def error_filter() -> pl.Expr:
    """Records whose level names an error (``error``, ``critical``, ``fatal``...)."""
    return pl.col("level").is_in(list(ERROR_LEVELS)) & pl.col("message").is_not_null()


def masked(message: pl.Expr) -> pl.Expr:
    """``message`` with its variable parts replaced by ``<NUM>``, ``<EMAIL>``..."""
    text = message.str.slice(0, MESSAGE_LIMIT)
    for pattern, placeholder in MASKS:
        text = text.str.replace_all(pattern, placeholder)
    return text.str.strip_chars()


def distinct_messages(records: pl.DataFrame) -> Mapping[str, int]:
    """The chunk's error lines as masked message -> count."""
    counts = (
        records.lazy()
        .filter(error_filter())
        .select(masked(pl.col("message")).alias("message"))
        .group_by("message")
        .len()
        .collect()
    )
    return dict(
        zip(counts.get_column("message").to_list(), counts.get_column("len").to_list(), strict=True)
    )


@dataclass(frozen=True)
class ErrorTemplate:
    template: str
    count: int
    sources: Mapping[str, int]
    """How many of its lines each setting (``logs.app`` entry, PATH) holds."""


class ErrorMiner:
    """Distinct masked messages in, weighted templates out."""

    def __init__(self) -> None:
        config = TemplateMinerConfig()
        config.profiling_enabled = False
        config.drain_sim_th = 0.4
        config.drain_depth = 4
        logging.getLogger("drain3").setLevel(logging.WARNING)
        self._miner = TemplateMiner(config=config)
        self._counts: Counter[int] = Counter()
        self._sources: dict[int, Counter[str]] = {}
        self.lines = 0

    def add(self, source: str, messages: Mapping[str, int]) -> None:
        for message, count in messages.items():
            result = self._miner.add_log_message(message or "(empty message)")
            cluster = int(result["cluster_id"])
            self._counts[cluster] += count
            self._sources.setdefault(cluster, Counter())[source] += count
            self.lines += count

    def templates(self) -> list[ErrorTemplate]:
        """Every template, most frequent first."""
        clusters = {c.cluster_id: c for c in self._miner.drain.clusters}
        return [
            ErrorTemplate(
                template=clusters[cid].get_template(),
                count=count,
                sources=dict(self._sources[cid].most_common()),
            )
            for cid, count in self._counts.most_common()
            if cid in clusters
        ]


def top(templates: Iterable[ErrorTemplate], limit: int = TOP) -> list[ErrorTemplate]:
    return list(templates)[:limit]


__all__ = [
    "ERROR_LEVELS",
    "ErrorMiner",
    "ErrorTemplate",
    "distinct_messages",
    "error_filter",
    "masked",
    "top",
]
