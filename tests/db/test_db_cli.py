"""``launchready db`` end to end: the real command line against the real PostgreSQL.

It must never write: it passes with a role that may only SELECT, and ``--analyze`` refuses
anything but a SELECT before connecting. The URL's password never reaches any output.
"""

from __future__ import annotations

import asyncio
import html
import json

import pytest

from tests.conftest import CliRun
from tests.db.conftest import ManifestFor
from tests.db.shop import READONLY_PASSWORD, READONLY_ROLE, Shop, hot_sku_lookups
from tests.db.test_postgres import SHOP_QUERIES
from tests.labserver import free_port

PURGE = ("purge-items", "DELETE FROM order_items WHERE order_id = $1", [1001])


def snapshot(shop: Shop, name: str) -> str:
    """What a write would change: the shop's relations (a CREATE INDEX would add one), and
    its tables' rows."""
    return shop.psql(
        name,
        # Not tracked: the harness's own reads are not the application's workload.
        "SET pg_stat_statements.track = 'none'; "
        "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace; "
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders), "
        "(SELECT count(*) FROM order_items), (SELECT sum(id) FROM order_items)",
    )


def test_a_select_only_role_runs_it_and_nothing_is_written(
    shop: Shop, cli: CliRun, manifest_for: ManifestFor
) -> None:
    name = shop.copy(shop.flawed, "readonly")
    asyncio.run(hot_sku_lookups(shop.url(name)))
    for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE"):
        target = "public" if privilege == "CREATE" else "order_items"
        kind = "schema" if privilege == "CREATE" else "table"
        granted = shop.psql(
            name, f"SELECT has_{kind}_privilege('{READONLY_ROLE}', '{target}', '{privilege}')"
        )
        assert granted.strip() == "f", privilege
    before = snapshot(shop, name)
    url = shop.url(name, role=READONLY_ROLE, password=READONLY_PASSWORD)
    manifest = manifest_for(url, [*SHOP_QUERIES, PURGE])

    result = cli("db", "-m", manifest, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["command"] == "db"
    assert report["checks"] == [report["checks"][0] | {"area": "db", "status": "ran"}]
    ids = {f["id"] for f in report["findings"]}
    assert ids == {"db.seq-scan", "db.fk-unindexed"}
    targets = {f["target"] for f in report["findings"] if f["id"] == "db.seq-scan"}
    assert targets == {
        "customer-orders",
        "order-items",
        "SELECT * FROM order_items WHERE sku = $1",  # another role's statement, seen
    }
    # Planning a DELETE needs DELETE privilege, which this role rightly lacks: skipped, said.
    plans = {p["query"]: p for p in report["extras"]["db"]["plans"]}
    assert "permission denied" in plans["purge-items"]["skipped"]
    assert snapshot(shop, name) == before
    assert READONLY_PASSWORD not in result.stdout + result.stderr


def test_analyze_refuses_anything_but_a_select(
    shop: Shop, cli: CliRun, manifest_for: ManifestFor
) -> None:
    name = shop.copy(shop.clean, "refuse")
    before = snapshot(shop, name)
    manifest = manifest_for(shop.url(name), [*SHOP_QUERIES, PURGE])
    result = cli("db", "-m", manifest, "--analyze")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "'purge-items'" in result.stderr and "not a SELECT" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(shop, name) == before

    planned = cli("db", "-m", manifest, "--format", "json")  # EXPLAIN without ANALYZE
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert snapshot(shop, name) == before

    selects = manifest_for(shop.url(name), SHOP_QUERIES)
    clean = cli("db", "-m", selects, "--analyze", "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    analyzed = json.loads(clean.stdout)["extras"]["db"]["analyzed"]
    assert [a["query"] for a in analyzed] == ["order-status", "customer-orders", "order-items"]


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_every_human_format_shows_the_plans_and_the_top_statements(
    shop: Shop, cli: CliRun, manifest_for: ManifestFor, fmt: str
) -> None:
    name = shop.copy(shop.flawed, f"shown-{fmt}")
    asyncio.run(hot_sku_lookups(shop.url(name)))
    result = cli("db", "-m", manifest_for(shop.url(name), SHOP_QUERIES), "--format", fmt)
    assert result.returncode == 1, result.stderr
    page = html.unescape(result.stdout) if fmt == "html" else result.stdout
    page = page.replace("\\", "") if fmt == "md" else page  # Markdown escapes _ and *
    assert "Database: hot queries" in page
    assert "order-items" in page and "Seq Scan on order_items" in page
    assert "SELECT * FROM order_items WHERE sku = $1" in page  # from pg_stat_statements


@pytest.mark.parametrize(("reachable", "fmt"), [(True, "json"), (False, "text")])
def test_the_password_never_appears(
    shop: Shop, cli: CliRun, manifest_for: ManifestFor, reachable: bool, fmt: str
) -> None:
    name = shop.copy(shop.flawed, "secret")
    port = shop.lab.port if reachable else free_port()
    url = f"postgresql://{READONLY_ROLE}:{READONLY_PASSWORD}@127.0.0.1:{port}/{name}"
    result = cli("db", "-m", manifest_for(url, SHOP_QUERIES), "--format", fmt, "-v")
    assert result.returncode == 1, result.stderr
    assert READONLY_PASSWORD not in result.stdout + result.stderr
    # The database is named (the deliverable, or the unreachable finding's target), bare.
    assert f"{READONLY_ROLE}@127.0.0.1:{port}/{name}" in result.stdout


def test_a_query_the_database_rejects_is_bad_input(
    shop: Shop, cli: CliRun, manifest_for: ManifestFor
) -> None:
    name = shop.copy(shop.clean, "ghost")
    result = cli("db", "-m", manifest_for(shop.url(name), [("ghost", "SELECT * FROM ghosts", [])]))
    assert result.returncode == 2
    assert "'ghost'" in result.stderr and 'relation "ghosts" does not exist' in result.stderr
    assert "Traceback" not in result.stderr


def test_no_database_section_is_bad_input(cli: CliRun, minimal_manifest: object) -> None:
    result = cli("db", "-m", minimal_manifest)
    assert result.returncode == 2
    assert "no database section" in result.stderr


def test_the_audit_runs_the_db_area(shop: Shop, cli: CliRun, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.flawed, "audit")
    manifest = manifest_for(shop.url(name), SHOP_QUERIES)
    result = cli("audit", "-m", manifest, "--only", "db", "--format", "json", "-q")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [(c["area"], c["status"]) for c in report["checks"]] == [("db", "ran")]
    assert {f["id"] for f in report["findings"]} == {"db.seq-scan", "db.fk-unindexed"}
    assert report["extras"]["db"]["engine"].startswith("PostgreSQL 15")
