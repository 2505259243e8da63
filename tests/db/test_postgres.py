"""The db area against a real PostgreSQL 15 with pg_stat_statements and HypoPG: every db.*
ID fires on a flawed shop and stays silent on the clean one.

Each test gets its own copy of a shop template, so pg_stat_statements (kept per database)
holds only the workload the test ran, as the application would have run it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from launchready.checks import db as area
from launchready.db import db_findings, inspect_database
from launchready.db.model import Inspection
from launchready.findings import Finding
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.db.conftest import ManifestFor
from tests.db.shop import (
    CUSTOMER_ORDERS,
    ORDER_ITEMS,
    ORDER_STATUS,
    READONLY_ROLE,
    Shop,
    hot_sku_lookups,
    workload,
)
from tests.labserver import free_port

SHOP_QUERIES: list[tuple[str, str, list[object]]] = [
    ("order-status", ORDER_STATUS, [1001]),
    ("customer-orders", CUSTOMER_ORDERS, [42]),
    ("order-items", ORDER_ITEMS, [1001]),
]
SKU_LOOKUP = "SELECT * FROM order_items WHERE sku = %s"
"""The application's hot query that nobody listed in the manifest: only
pg_stat_statements knows about it."""


async def inspect(manifest: Path, *, analyze: bool = False, op_timeout: float = 5.0) -> Inspection:
    async with check_context(load_manifest(manifest), op_timeout=op_timeout) as ctx:
        return await inspect_database(ctx, analyze=analyze)


async def findings(manifest: Path, **options: float) -> list[Finding]:
    return db_findings(await inspect(manifest, **options))  # type: ignore[arg-type]


def by_id(found: list[Finding], finding_id: str) -> list[Finding]:
    return [f for f in found if f.id == finding_id]


async def test_the_flawed_shop(shop: Shop, needs_hypopg: None, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.flawed, "flawed")
    await hot_sku_lookups(shop.url(name))
    paid = ("paid-orders", "SELECT id FROM orders WHERE status = $1", ["paid"])
    manifest = manifest_for(shop.url(name), [*SHOP_QUERIES, paid])
    found = await findings(manifest)

    scans = {(f.target, f.evidence["relation"]): f for f in by_id(found, "db.seq-scan")}
    assert set(scans) == {
        ("customer-orders", "public.orders"),
        ("order-items", "public.order_items"),
        ("SELECT * FROM order_items WHERE sku = $1", "public.order_items"),
        ("paid-orders", "public.orders"),
    }
    customer = scans["customer-orders", "public.orders"]
    assert customer.evidence["columns"] == ["customer_id"]
    assert customer.evidence["rows"] == 100_000
    assert customer.evidence["index"] == (
        "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);"
    )
    assert customer.evidence["checked_with"] == "hypopg"
    assert customer.evidence["cost_after"] < customer.evidence["cost_before"] / 10
    assert "Index Scan" in customer.evidence["plan_with_index"]
    assert "orders_customer_id_idx" in customer.fix and "falls from" in customer.fix

    hot = scans["SELECT * FROM order_items WHERE sku = $1", "public.order_items"]
    assert hot.evidence["source"] == "pg_stat_statements"
    assert hot.evidence["columns"] == ["sku"]
    assert hot.evidence["cost_after"] < hot.evidence["cost_before"]

    # 90% of orders are paid: HypoPG shows the planner would ignore an index on status.
    useless = scans["paid-orders", "public.orders"]
    assert useless.evidence["columns"] == ["status"]
    assert useless.evidence["index"] is None
    assert useless.evidence["checked_with"] == "hypopg"
    assert "would not be used" in useless.fix

    foreign = {f.target: f for f in by_id(found, "db.fk-unindexed")}
    assert set(foreign) == {"public.orders (customer_id)", "public.order_items (order_id)"}
    assert foreign["public.order_items (order_id)"].evidence["index"] == (
        "CREATE INDEX CONCURRENTLY order_items_order_id_idx ON public.order_items (order_id);"
    )
    assert {f.id for f in found} == {"db.seq-scan", "db.fk-unindexed"}


async def test_the_clean_shop_is_silent(shop: Shop, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.clean, "clean")
    url = shop.url(name)
    app = [
        ("SELECT id, status, total_cents FROM orders WHERE id = %s", [1001]),
        ("SELECT sku, quantity FROM order_items WHERE order_id = %s", [1001]),
        (SKU_LOOKUP, ["SKU-42"]),
    ]
    await workload(url, app, times=20)
    join = (
        "customer-items",
        "SELECT o.id, oi.sku FROM orders o JOIN order_items oi ON oi.order_id = o.id "
        "WHERE o.customer_id = $1",
        [42],
    )
    inspection = await inspect(manifest_for(url, [*SHOP_QUERIES, join]))
    assert db_findings(inspection) == []
    assert len(inspection.statements) >= 3  # the statistics were read, and were quiet
    assert not any("launchready" in s.text for s in inspection.statements)


async def test_a_join_without_an_index_on_the_joined_column(
    shop: Shop, needs_hypopg: None, manifest_for: ManifestFor
) -> None:
    name = shop.copy(shop.clean, "join")
    shop.psql(name, "DROP INDEX order_items_order_id_idx")
    join = (
        "customer-items",
        "SELECT o.id, oi.sku FROM orders o JOIN order_items oi ON oi.order_id = o.id "
        "WHERE o.customer_id = $1",
        [42],
    )
    found = await findings(manifest_for(shop.url(name), [join]))
    (scan,) = by_id(found, "db.seq-scan")
    assert scan.evidence["relation"] == "public.order_items"
    assert scan.evidence["condition"] == "(oi.order_id = o.id)"
    assert scan.evidence["columns"] == ["order_id"]
    assert scan.evidence["cost_after"] < scan.evidence["cost_before"]


async def test_slow_and_dominant_statements(shop: Shop, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.clean, "slow")
    url = shop.url(name)
    # pg_sleep is a statement of known duration: 100 calls of 105 ms, 25 at a time, cost
    # half a second of wall time and are over both thresholds whatever the machine.
    await workload(url, [("SELECT pg_sleep(%s)", [0.105])], times=100, connections=25)
    await workload(url, [("SELECT id FROM orders WHERE id = %s", [7])], times=50)
    found = await findings(manifest_for(url))
    assert sorted((f.id, f.target) for f in found) == [
        ("db.dominant-query", "SELECT pg_sleep($1)"),
        ("db.slow-query", "SELECT pg_sleep($1)"),
    ]
    slow = by_id(found, "db.slow-query")[0]
    assert slow.evidence["calls"] == 100 and slow.evidence["mean_ms"] > 100
    assert by_id(found, "db.dominant-query")[0].evidence["share"] > 0.5


async def test_a_dominant_statement_that_is_not_slow(shop: Shop, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.clean, "dominant")
    url = shop.url(name)
    await workload(url, [("SELECT pg_sleep(%s)", [0.03])], times=4, connections=4)
    await workload(url, [("SELECT id FROM orders WHERE id = %s", [7])], times=20)
    found = await findings(manifest_for(url))
    assert [(f.id, f.target) for f in found] == [("db.dominant-query", "SELECT pg_sleep($1)")]


async def test_without_pg_stat_statements(shop: Shop, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.clean, "nostats")
    shop.psql(name, "DROP EXTENSION pg_stat_statements")
    found = await findings(manifest_for(shop.url(name), SHOP_QUERIES))
    (gap,) = found
    assert gap.id == "db.stats-unavailable"
    assert gap.evidence["reason"] == (
        "the pg_stat_statements extension is not installed in this database"
    )
    # The lab preloads the library, and the superuser may see that: only the extension is missing.
    assert "CREATE EXTENSION pg_stat_statements" in gap.fix
    assert "already loaded" in gap.fix
    as_reader = await findings(manifest_for(shop.url(name, role=READONLY_ROLE), SHOP_QUERIES))
    assert [f.id for f in as_reader] == ["db.stats-unavailable"]
    assert "shared_preload_libraries" in as_reader[0].fix  # the catalog's full instructions


async def test_a_role_that_cannot_read_the_catalog(shop: Shop, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.clean, "nocatalog")
    shop.psql(name, "REVOKE SELECT ON pg_catalog.pg_extension FROM PUBLIC")
    url = shop.url(name, role=READONLY_ROLE)
    (found,) = await findings(manifest_for(url, SHOP_QUERIES))
    assert found.id == "db.unreachable"
    assert found.evidence["stage"] == "catalog"
    assert "permission denied" in found.evidence["error"]


async def test_a_closed_port_is_unreachable(manifest_for: ManifestFor) -> None:
    url = f"postgresql://app:Hunter2-pw@127.0.0.1:{free_port()}/shop"
    (found,) = await findings(manifest_for(url, SHOP_QUERIES))
    assert found.id == "db.unreachable"
    assert found.target == found.evidence["database"]
    assert found.evidence["stage"] == "connect"
    assert "refused" in found.evidence["error"].lower()
    assert "Hunter2-pw" not in repr(found)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that completes the TCP handshake (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


async def test_a_server_that_never_answers_is_unreachable_not_a_hang(
    silent_server: int, manifest_for: ManifestFor
) -> None:
    manifest = manifest_for(f"postgresql://app@127.0.0.1:{silent_server}/shop")
    started = time.monotonic()
    (found,) = await findings(manifest, op_timeout=0.5)
    assert time.monotonic() - started < 5
    assert found.id == "db.unreachable"
    assert found.evidence["error"] == "no answer within 0.5s"


async def test_analyze_times_each_select(shop: Shop, manifest_for: ManifestFor) -> None:
    name = shop.copy(shop.clean, "analyze")
    queries: list[tuple[str, str, list[object]]] = [
        *SHOP_QUERIES,
        ("monthly-report", "SELECT pg_sleep(0.15), $1::text", ["june"]),
    ]
    inspection = await inspect(manifest_for(shop.url(name), queries), analyze=True)
    assert [(f.id, f.target) for f in db_findings(inspection)] == [
        ("db.slow-query", "monthly-report")
    ]
    timings = {t.query.name: t for t in inspection.timings}
    assert set(timings) == {"order-status", "customer-orders", "order-items", "monthly-report"}
    assert timings["monthly-report"].execution_ms >= 150
    assert timings["order-status"].execution_ms < 100


async def test_analyze_stops_a_query_at_the_statement_timeout(
    shop: Shop, manifest_for: ManifestFor
) -> None:
    name = shop.copy(shop.clean, "timeout")
    queries: list[tuple[str, str, list[object]]] = [("stuck", "SELECT pg_sleep(30)", [])]
    started = time.monotonic()
    (found,) = await findings(manifest_for(shop.url(name), queries), analyze=True, op_timeout=0.5)
    assert time.monotonic() - started < 5
    assert (found.id, found.target) == ("db.slow-query", "stuck")
    assert found.evidence["timed_out"] is True


async def test_the_audit_area_delivers_plans_and_rejects_a_broken_query(
    shop: Shop, manifest_for: ManifestFor
) -> None:
    name = shop.copy(shop.flawed, "area")
    manifest = load_manifest(manifest_for(shop.url(name), SHOP_QUERIES))
    assert area.skip_reason(manifest) is None
    async with check_context(manifest) as ctx:
        found = await area.run(ctx)
    assert {f.id for f in found} >= {"db.seq-scan", "db.fk-unindexed"}
    plans = {p["query"]: p["plan"] for p in ctx.deliverables["db"]["plans"]}
    assert plans["order-status"] == "Index Scan on orders"

    ghost = load_manifest(manifest_for(shop.url(name), [("ghost", "SELECT * FROM ghosts", [])]))
    async with check_context(ghost) as ctx:
        with pytest.raises(area.CheckConfigError, match=r"'ghost'.*ghosts"):
            await area.run(ctx)


async def test_network_resolve_routes_the_connection(
    shop: Shop, write_manifest: Callable[[str], Path]
) -> None:
    """Like every check, the database honours network.resolve: the connection goes to the
    mapped address while libpq keeps the real host name (no DNS lookup is made)."""
    name = shop.copy(shop.clean, "routed")
    manifest = write_manifest(f"""
        site:
          domain: shop.test
        database:
          url: postgresql://postgres@db.shop.test/{name}
        network:
          resolve:
            "db.shop.test:5432": "127.0.0.1:{shop.lab.port}"
    """)
    inspection = await inspect(manifest)
    assert inspection.unreachable is None
    assert inspection.engine.startswith("PostgreSQL 15")
    assert inspection.database == f"postgresql://postgres@db.shop.test/{name}"
