"""Fixtures of the db tests: the shop in PostgreSQL (once per session, copied per test) and
in SQLite files, and a manifest pointing at either."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.db.shop import Shop, build_sqlite
from tests.pglab import PostgresLab

ManifestFor = Callable[..., Path]


@pytest.fixture(scope="session")
def shop(postgres: PostgresLab) -> Shop:
    """The flawed and clean shop templates (~2 s, once). HypoPG is part of the lab: CI
    installs it, so there its absence fails instead of quietly skipping the cost proof."""
    hypopg = postgres.has_extension("hypopg")
    if not hypopg and os.environ.get("CI"):
        pytest.fail("HypoPG is missing: scripts/test installs postgresql-NN-hypopg")
    return Shop(postgres, hypopg)


@pytest.fixture
def needs_hypopg(shop: Shop) -> None:
    if not shop.hypopg:
        pytest.skip("HypoPG is not installed (apt-get install postgresql-15-hypopg)")


@pytest.fixture(scope="session")
def sqlite_shops(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The flawed and clean shop as SQLite files, built once; tests copy what they change."""
    folder = tmp_path_factory.mktemp("sqlite-shop")
    return {
        "flawed": build_sqlite(folder / "flawed.db", clean=False),
        "clean": build_sqlite(folder / "clean.db", clean=True),
    }


@pytest.fixture
def manifest_for(write_manifest: Callable[[str], Path]) -> ManifestFor:
    """``manifest_for(url, queries=[(name, sql, params)], large_table_rows=N)``: a manifest
    with a database section (YAML written by hand, as a user would)."""

    def write(
        url: str,
        queries: list[tuple[str, str, list[object]]] | None = None,
        large_table_rows: int | None = None,
    ) -> Path:
        lines = ["site:", "  domain: shop.test", "database:", f"  url: '{url}'"]
        if large_table_rows is not None:
            lines.append(f"  large_table_rows: {large_table_rows}")
        if queries:
            lines.append("  queries:")
            for name, sql, params in queries:
                quoted = sql.replace("'", "''")
                lines.append(f"    - {{name: {name}, sql: '{quoted}', params: {params!r}}}")
        return write_manifest("\n".join(lines) + "\n")

    return write
