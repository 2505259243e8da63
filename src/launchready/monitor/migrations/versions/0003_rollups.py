"""Hourly roll-ups of probe results, kept 400 days.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "rollups",
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), primary_key=True),
        sa.Column("region", sa.String(64), primary_key=True),
        sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("probes", sa.Integer, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("latency_sum_ms", sa.Float, nullable=False),
        sa.Column("latency_max_ms", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rollups")
