"""The monitor store: checks, results, decision state, incidents, outbox.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=True),
        sa.Column("conditions", sa.Text, nullable=False),
    )
    op.create_index("ix_results_check_id", "results", ["check_id"])
    op.create_index("ix_results_at", "results", ["at"])
    op.create_table(
        "check_state",
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("successes", sa.Integer, nullable=False),
        sa.Column("first_failure_at", STAMP, nullable=True),
        sa.Column("incident_opened_at", STAMP, nullable=True),
        sa.Column("incident_conditions", sa.Text, nullable=True),
        sa.Column("last_notice_at", STAMP, nullable=True),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), nullable=False),
        sa.Column("opened_at", STAMP, nullable=False),
        sa.Column("closed_at", STAMP, nullable=True),
        sa.Column("conditions", sa.Text, nullable=False),
    )
    op.create_index("ix_incidents_check_id", "incidents", ["check_id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("failure", sa.Boolean, nullable=False),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_check_id", "outbox", ["check_id"])


def downgrade() -> None:
    for table in ("outbox", "incidents", "check_state", "results", "checks"):
        op.drop_table(table)
