"""The db area on SQLite files: the same shop, opened so that it cannot be written."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import time
from pathlib import Path

from launchready.db import db_findings, inspect_database
from launchready.db.model import Inspection
from launchready.findings import Finding
from launchready.manifest import load_manifest
from tests.checks.support import check_context
from tests.conftest import CliRun
from tests.db.conftest import ManifestFor
from tests.db.shop import ORDER_ITEMS, ORDER_STATUS

QUERIES: list[tuple[str, str, list[object]]] = [
    ("order-status", ORDER_STATUS.replace(", total_cents", ""), [1001]),
    ("customer-orders", "SELECT id, status FROM orders WHERE customer_id = $1 LIMIT 20", [42]),
    ("order-items", ORDER_ITEMS, [1001]),
]
JOIN = (
    "customer-items",
    "SELECT o.id, oi.sku FROM orders AS o JOIN order_items oi ON oi.order_id = o.id "
    "WHERE o.customer_id = $1 AND o.status = $2",
    [42, "paid"],
)


def copy(source: Path, folder: Path) -> Path:
    target = folder / "shop.db"
    shutil.copyfile(source, target)
    return target


async def inspect(manifest: Path, *, analyze: bool = False, op_timeout: float = 5.0) -> Inspection:
    async with check_context(load_manifest(manifest), op_timeout=op_timeout) as ctx:
        return await inspect_database(ctx, analyze=analyze)


def ids(found: list[Finding]) -> list[tuple[str, str]]:
    return sorted((f.id, f.target) for f in found)


async def test_the_flawed_shop(
    sqlite_shops: dict[str, Path], tmp_path: Path, manifest_for: ManifestFor
) -> None:
    copy(sqlite_shops["flawed"], tmp_path)
    manifest = manifest_for("sqlite:///shop.db", [*QUERIES, JOIN])  # beside the manifest
    found = db_findings(await inspect(manifest))
    assert ids(found) == [
        ("db.fk-unindexed", "order_items (order_id)"),
        ("db.fk-unindexed", "orders (customer_id)"),
        ("db.seq-scan", "customer-items"),
        ("db.seq-scan", "customer-orders"),
        ("db.seq-scan", "order-items"),
    ]
    scans = {f.target: f for f in found if f.id == "db.seq-scan"}
    customer = scans["customer-orders"]
    assert customer.evidence["index"] == (
        "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"
    )
    assert customer.evidence["condition"] == "SCAN orders"
    assert customer.evidence["rows"] == 100_000
    assert customer.evidence["checked_with"] == "a copy of the schema in memory"
    assert "USING INDEX orders_customer_id_idx" in customer.evidence["plan_with_index"]
    joined = scans["customer-items"]  # SQLite names the scan by its alias: "SCAN oi"
    assert joined.evidence["condition"] == "SCAN oi"
    assert joined.evidence["relation"] == "order_items"
    assert joined.evidence["columns"] == ["order_id"]  # from the ON clause
    assert "SEARCH oi USING INDEX order_items_order_id_idx" in joined.evidence["plan_with_index"]
    foreign = next(f for f in found if f.target == "order_items (order_id)")
    assert foreign.evidence["index"] == (
        "CREATE INDEX order_items_order_id_idx ON order_items (order_id);"
    )


async def test_the_clean_shop_is_silent(
    sqlite_shops: dict[str, Path], tmp_path: Path, manifest_for: ManifestFor
) -> None:
    path = copy(sqlite_shops["clean"], tmp_path)
    inspection = await inspect(manifest_for(f"sqlite:///{path}", [*QUERIES, JOIN]))  # absolute
    assert db_findings(inspection) == []
    assert inspection.engine.startswith("SQLite 3.")
    assert len(inspection.plans) == 4


async def test_an_index_sqlite_would_not_use_is_not_suggested(
    sqlite_shops: dict[str, Path], tmp_path: Path, manifest_for: ManifestFor
) -> None:
    copy(sqlite_shops["flawed"], tmp_path)
    queries: list[tuple[str, str, list[object]]] = [
        ("not-refunded", "SELECT id FROM orders WHERE status != $1", ["refunded"]),
        ("by-email", "SELECT id FROM customers WHERE lower(email) = $1", ["a@b.test"]),
    ]
    found = db_findings(await inspect(manifest_for("sqlite:///shop.db", queries)))
    scans = {f.target: f for f in found if f.id == "db.seq-scan"}
    assert scans["not-refunded"].evidence["columns"] == ["status"]
    assert scans["not-refunded"].evidence["index"] is None  # != cannot use a B-tree
    assert "would not be used" in scans["not-refunded"].fix
    assert scans["by-email"].evidence["columns"] == []  # lower(email) needs an expression index
    assert "no condition an index could serve" in scans["by-email"].fix


def test_nothing_is_written(
    sqlite_shops: dict[str, Path], tmp_path: Path, manifest_for: ManifestFor, cli: CliRun
) -> None:
    path = copy(sqlite_shops["flawed"], tmp_path)
    path.chmod(0o444)  # as a backup or a replica's copy would be
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    purge = ("purge", "DELETE FROM order_items WHERE order_id = $1", [1001])
    manifest = manifest_for("sqlite:///shop.db", [*QUERIES, purge])
    result = cli("db", "-m", manifest, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {f["target"] for f in report["findings"] if f["id"] == "db.seq-scan"} == {
        "customer-orders",
        "order-items",
        "purge",  # planned, never run
    }
    refused = cli("db", "-m", manifest, "--analyze")
    assert refused.returncode == 2 and "'purge'" in refused.stderr
    after = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    assert after == before
    for leftover in ("shop.db-journal", "shop.db-wal", "shop.db-shm"):
        assert not (tmp_path / leftover).exists()


async def test_analyze_times_each_select(
    sqlite_shops: dict[str, Path], tmp_path: Path, manifest_for: ManifestFor
) -> None:
    copy(sqlite_shops["clean"], tmp_path)
    report = (
        "report",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $1) "
        "SELECT count(*) FROM c",
        [2_000_000],
    )
    inspection = await inspect(manifest_for("sqlite:///shop.db", [*QUERIES, report]), analyze=True)
    assert ids(db_findings(inspection)) == [("db.slow-query", "report")]
    timings = {t.query.name: t.execution_ms for t in inspection.timings}
    assert timings["report"] > 100 and timings["order-status"] < 100


async def test_a_runaway_query_stops_at_the_timeout(
    sqlite_shops: dict[str, Path], tmp_path: Path, manifest_for: ManifestFor
) -> None:
    copy(sqlite_shops["clean"], tmp_path)
    endless = (
        "endless",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c",
        [],
    )
    started = time.monotonic()
    inspection = await inspect(
        manifest_for("sqlite:///shop.db", [endless]), analyze=True, op_timeout=0.3
    )
    assert time.monotonic() - started < 3
    (found,) = db_findings(inspection)
    assert (found.id, found.evidence["timed_out"]) == ("db.slow-query", True)


async def test_unreachable_files(tmp_path: Path, manifest_for: ManifestFor) -> None:
    (missing,) = db_findings(await inspect(manifest_for("sqlite:///nowhere.db")))
    assert (missing.id, missing.evidence["stage"]) == ("db.unreachable", "connect")
    assert missing.target == "sqlite:///nowhere.db"
    (tmp_path / "notes.db").write_text("not a database, just notes\n" * 100)
    (garbage,) = db_findings(await inspect(manifest_for("sqlite:///notes.db")))
    assert (garbage.id, garbage.evidence["stage"]) == ("db.unreachable", "catalog")
    assert "not a database" in garbage.evidence["error"]


async def test_foreign_keys_covered_by_a_composite_index_or_the_rowid(
    tmp_path: Path, manifest_for: ManifestFor
) -> None:
    path = tmp_path / "fk.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE parent (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, UNIQUE (a, b));
            CREATE TABLE child (
                id INTEGER PRIMARY KEY REFERENCES parent (id),
                a INTEGER, b INTEGER, c INTEGER REFERENCES parent (id),
                FOREIGN KEY (a, b) REFERENCES parent (a, b)
            );
            CREATE INDEX child_b_a_extra ON child (b, a, id);
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 50)
            INSERT INTO child SELECT n, n, n, n FROM g;
            """
        )
    conn.close()
    found = db_findings(await inspect(manifest_for("sqlite:///fk.db", large_table_rows=50)))
    assert ids(found) == [("db.fk-unindexed", "child (c)")]
    quiet = db_findings(await inspect(manifest_for("sqlite:///fk.db", large_table_rows=51)))
    assert quiet == []
