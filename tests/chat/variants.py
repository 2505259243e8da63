"""Variants of the running demo's manifest, for tests that point the chatbot elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def variant(manifest: Path, tmp_path: Path, name: str = "variant", **chatbot: Any) -> Path:
    """The demo manifest with its chatbot section changed; a relative ``url`` is a path on
    the demo's chat host. Written beside the original so relative paths still resolve."""
    data = yaml.safe_load(manifest.read_text())
    bot = data["chatbot"]
    origin = bot["url"].split("/api/")[0]
    for key, value in chatbot.items():
        if value is None:
            bot.pop(key, None)
        else:
            bot[key] = origin + value if key == "url" and value.startswith("/") else value
    path = manifest.parent / f"{name}-{tmp_path.name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
