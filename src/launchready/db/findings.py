"""From an :class:`~launchready.db.model.Inspection` to catalog findings.

The thresholds of checks.md are here and nowhere else. Fingerprints cover what
identifies the problem (the statement, the relation and columns), never timings or row
counts, so a baseline keeps recognising a slow query as it gets slower.
"""

from __future__ import annotations

from launchready.catalog import entry, finding
from launchready.db.model import (
    ForeignKeyGap,
    Inspection,
    SeqScan,
    Source,
    Statement,
    Timing,
)
from launchready.db.sqltext import shorten
from launchready.findings import Finding, JSONValue

SLOW_MEAN_MS = 100.0
SLOW_MIN_CALLS = 100
DOMINANT_SHARE = 0.5
DOMINANT_MEAN_MS = 20.0
ANALYZE_SLOW_MS = 100.0
HIDDEN_STATEMENT = "a statement of another role (text hidden)"
_SEE_HIDDEN = (
    " Its text is hidden from this role: GRANT pg_read_all_stats TO the role in "
    "database.url to see which statement it is."
)


def db_findings(inspection: Inspection) -> list[Finding]:
    """Every db.* finding the inspection supports."""
    if inspection.unreachable is not None:
        return [
            finding(
                "db.unreachable",
                target=inspection.database,
                evidence={
                    "database": inspection.database,
                    "stage": inspection.unreachable.stage,
                    "error": inspection.unreachable.error,
                },
                fingerprint_keys=("database", "stage"),
            )
        ]
    found = [seq_scan(s) for s in inspection.scans]
    found += statement_findings(inspection.statements)
    found += [analyzed(t) for t in inspection.timings if t.execution_ms > ANALYZE_SLOW_MS]
    found += [foreign_key(g) for g in inspection.foreign_keys]
    if inspection.stats_gap is not None:
        found.append(
            finding(
                "db.stats-unavailable",
                target=inspection.database,
                evidence={"database": inspection.database, "reason": inspection.stats_gap.reason},
                fix=inspection.stats_gap.fix,
                fingerprint_keys=("database",),
            )
        )
    return found


def seq_scan(scan: SeqScan) -> Finding:
    advice = scan.advice
    evidence: dict[str, JSONValue] = {
        "query": scan.query.name,
        "source": scan.query.source.value,
        "sql": shorten(scan.query.sql, 500),
        "relation": scan.relation,
        "rows": scan.rows,
        "condition": scan.condition,
        "columns": list(advice.columns),
        "index": advice.statement,
    }
    if advice.checked_with is not None:
        evidence["checked_with"] = advice.checked_with
    if advice.cost_before is not None:
        evidence["cost_before"] = round(advice.cost_before, 2)
    if advice.cost_after is not None:
        evidence["cost_after"] = round(advice.cost_after, 2)
    if advice.plan_after is not None:
        evidence["plan_with_index"] = advice.plan_after
    return finding(
        "db.seq-scan",
        target=scan.query.name,
        evidence=evidence,
        fix=_seq_scan_fix(scan),
        fingerprint_keys=("query", "source", "relation", "columns"),
    )


def _seq_scan_fix(scan: SeqScan) -> str:
    advice = scan.advice
    if advice.statement is not None:
        text = f"Create the index: {advice.statement}"
        if advice.cost_before is not None and advice.cost_after is not None:
            text += (
                f" With it (a hypothetical index, checked with {advice.checked_with}) the "
                f"planner's cost for this query falls from {advice.cost_before:,.0f} to "
                f"{advice.cost_after:,.0f}."
            )
        elif advice.checked_with is not None:
            text += f" The planner uses it (checked on {advice.checked_with})."
        if "CONCURRENTLY" in advice.statement:
            text += (
                " CONCURRENTLY builds it without blocking writes; run it on its own, "
                "outside a transaction."
            )
        return text
    if advice.columns:
        cols = ", ".join(advice.columns)
        how = f" (checked with {advice.checked_with})" if advice.checked_with else ""
        return (
            f"An index on {scan.relation} ({cols}) would not be used{how}: the query "
            "matches too many rows or compares an expression. Fetch fewer rows (a tighter "
            "filter, a LIMIT, pagination), index the expression it compares, or cache "
            "the result."
        )
    return (
        f"The query reads every row of {scan.relation} and has no condition an index "
        "could serve: add a WHERE clause or a LIMIT, paginate, or cache the result."
    )


def statement_findings(statements: list[Statement]) -> list[Finding]:
    """db.slow-query and db.dominant-query over pg_stat_statements' entries."""
    total = sum(s.total_ms for s in statements)
    found: list[Finding] = []
    for statement in statements:
        target = shorten(statement.text) if statement.visible else HIDDEN_STATEMENT
        hidden = "" if statement.visible else _SEE_HIDDEN
        evidence: dict[str, JSONValue] = {
            "source": Source.STATISTICS.value,
            "sql": shorten(statement.text, 500) if statement.visible else None,
            "calls": statement.calls,
            "mean_ms": round(statement.mean_ms, 2),
            "total_ms": round(statement.total_ms, 2),
        }
        if statement.mean_ms > SLOW_MEAN_MS and statement.calls >= SLOW_MIN_CALLS:
            found.append(
                finding(
                    "db.slow-query",
                    target=target,
                    evidence={**evidence, "threshold_ms": SLOW_MEAN_MS},
                    fix=_with_hint("db.slow-query", hidden),
                    fingerprint_keys=("source", "sql"),
                )
            )
        share = statement.total_ms / total if total > 0 else 0.0
        if share > DOMINANT_SHARE and statement.mean_ms > DOMINANT_MEAN_MS:
            found.append(
                finding(
                    "db.dominant-query",
                    target=target,
                    evidence={**evidence, "share": round(share, 3)},
                    fix=_with_hint("db.dominant-query", hidden),
                    fingerprint_keys=("source", "sql"),
                )
            )
    return found


def _with_hint(finding_id: str, hint: str) -> str | None:
    if not hint:
        return None
    return entry(finding_id).fix + hint


def analyzed(timing: Timing) -> Finding:
    """db.slow-query for a manifest SELECT measured by ``--analyze``."""
    evidence: dict[str, JSONValue] = {
        "source": Source.ANALYZE.value,
        "query": timing.query.name,
        "sql": shorten(timing.query.sql, 500),
        "execution_ms": round(timing.execution_ms, 2),
        "threshold_ms": ANALYZE_SLOW_MS,
    }
    if timing.timed_out:
        evidence["timed_out"] = True
    return finding(
        "db.slow-query",
        target=timing.query.name,
        evidence=evidence,
        fingerprint_keys=("source", "query"),
    )


def foreign_key(gap: ForeignKeyGap) -> Finding:
    target = f"{gap.relation} ({', '.join(gap.columns)})"
    return finding(
        "db.fk-unindexed",
        target=target,
        evidence={
            "relation": gap.relation,
            "constraint": gap.constraint,
            "columns": list(gap.columns),
            "references": gap.references,
            "rows": gap.rows,
            "index": gap.statement,
        },
        fix=f"Create an index that starts with the foreign-key column: {gap.statement}",
        fingerprint_keys=("relation", "columns"),
    )


def summary(inspection: Inspection) -> dict[str, JSONValue]:
    """The deliverable beside the findings (``extras["db"]``): each hot query's plan in
    brief and the heaviest statements, so a reader sees what was looked at, not only what
    was wrong."""
    total = sum(s.total_ms for s in inspection.statements)
    return {
        "database": inspection.database,
        "engine": inspection.engine,
        "plans": list(inspection.plans),
        "top_statements": [
            {
                "sql": shorten(s.text, 200) if s.visible else HIDDEN_STATEMENT,
                "calls": s.calls,
                "mean_ms": round(s.mean_ms, 2),
                "total_ms": round(s.total_ms, 2),
                "share": round(s.total_ms / total, 3) if total > 0 else 0.0,
            }
            for s in inspection.statements[:10]
        ],
        "analyzed": [
            {
                "query": t.query.name,
                "execution_ms": round(t.execution_ms, 2),
                "timed_out": t.timed_out,
            }
            for t in inspection.timings
        ],
    }
