"""database.url and database.queries as given: checked before anything connects, and the
URL shown without its password."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from launchready.checks import db as area
from launchready.db import hot_queries
from launchready.db.url import Engine, parse_url
from launchready.errors import CheckConfigError, InputError
from launchready.manifest import load_manifest
from launchready.manifest.models import Database, Query
from tests.checks.support import check_context
from tests.db.conftest import ManifestFor


def test_postgres_url_is_shown_without_its_password() -> None:
    url = parse_url(
        "postgresql://shop_ro:p%40ss-w0rd@db.internal:5433/shop?sslmode=require", Path()
    )
    assert url.engine is Engine.POSTGRESQL
    assert url.display == "postgresql://shop_ro@db.internal:5433/shop"
    assert (url.host, url.port) == ("db.internal", 5433)
    assert "p%40ss-w0rd" in url.conninfo
    message = 'password authentication failed: p@ss-w0rd, p%40ss-w0rd, "password=hunter22"'
    scrubbed = url.scrub(message)
    assert "p@ss-w0rd" not in scrubbed and "p%40ss-w0rd" not in scrubbed
    assert "hunter22" not in scrubbed


def test_driver_suffixes_and_the_short_scheme_are_accepted() -> None:
    url = parse_url("postgresql+psycopg://app@127.0.0.1:5432/db", Path())
    assert url.conninfo == "postgresql://app@127.0.0.1:5432/db"
    assert parse_url("postgres://app@h/db", Path()).engine is Engine.POSTGRESQL


def test_sqlite_paths_are_relative_to_the_manifest(tmp_path: Path) -> None:
    relative = parse_url("sqlite:///data/shop.db", tmp_path)
    assert relative.engine is Engine.SQLITE
    assert relative.path == tmp_path / "data" / "shop.db"
    assert relative.display == "sqlite:///data/shop.db"
    assert parse_url("sqlite:////srv/shop.db", tmp_path).path == Path("/srv/shop.db")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:hunter22@db/shop",
        "sqlite://shop.db",
        "sqlite:///:memory:",
        "postgresql://u:hunter22@h:notaport/db",
        "shop.db",
    ],
)
def test_other_urls_are_bad_input_and_the_message_hides_them(url: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_url(url, Path())
    assert "hunter22" not in str(raised.value)


@pytest.mark.parametrize(
    ("sql", "params", "analyze", "message"),
    [
        ("SELECT 1; SELECT 2", [], False, "'q': the query holds more than one statement"),
        ("SELECT $1, $2", [1], False, "'q': the query uses 2 placeholder(s)"),
        ("DELETE FROM t WHERE id = $1", [1], True, "--analyze runs only SELECT statements"),
    ],
)
def test_manifest_queries_are_checked_before_connecting(
    sql: str, params: list[object], analyze: bool, message: str
) -> None:
    section = Database(url="sqlite:///x.db", queries=[Query(name="q", sql=sql, params=params)])
    with pytest.raises(InputError) as raised:
        hot_queries(section, analyze=analyze)
    assert message in str(raised.value)


async def test_postgres_without_psycopg_is_a_config_error_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch, manifest_for: ManifestFor
) -> None:
    """psycopg is the ``postgres`` extra: without it the area says how to get it."""
    monkeypatch.setitem(sys.modules, "launchready.db.postgres", None)  # import fails
    manifest = load_manifest(manifest_for("postgresql://app@127.0.0.1:5432/shop"))
    async with check_context(manifest) as ctx:
        with pytest.raises(CheckConfigError, match=r"launchready\[postgres\]"):
            await area.run(ctx)
