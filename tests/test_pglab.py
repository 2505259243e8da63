"""The PostgreSQL lab (tests/pglab.py) does what the store and diagnostics tests rely on: a fresh
database per test, reached with SQLAlchemy and psycopg 3, listening on 127.0.0.1 only, with
pg_stat_statements preloaded and HypoPG installable."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from tests.pglab import PostgresLab


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


def test_a_fresh_database_over_loopback(engine: Engine, postgres_url: str) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert conn.execute(text("SELECT current_database()")).scalar_one() == (
            make_url(postgres_url).database
        )
        assert conn.execute(text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert conn.execute(text(tables)).scalar_one() == 0


def test_pg_stat_statements_is_preloaded(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION pg_stat_statements"))
        # The view raises unless the library was loaded at server start.
        count = conn.execute(text("SELECT count(*) FROM pg_stat_statements")).scalar_one()
        assert count >= 1


def test_hypopg_is_installable(postgres: PostgresLab, engine: Engine) -> None:
    if not postgres.has_extension("hypopg"):
        package = f"postgresql-{postgres.bindir.parent.name}-hypopg"
        if os.environ.get("CI"):
            pytest.fail(f"HypoPG is missing: scripts/test installs the Debian package {package}")
        pytest.skip(f"HypoPG is not installed (apt-get install {package})")
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION hypopg"))
        conn.execute(text("CREATE TABLE orders (id int, customer int)"))
        created = conn.execute(
            text("SELECT indexname FROM hypopg_create_index('CREATE INDEX ON orders (customer)')")
        ).scalar_one()
        assert "orders" in created
        assert conn.execute(text("SELECT count(*) FROM hypopg_list_indexes")).scalar_one() == 1
