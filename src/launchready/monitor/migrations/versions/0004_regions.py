"""Regions: each region's streak per check, the regions' last reports, channel health, a
measured value (certificate days left) beside each result, and claims on the outbox so
that of several regions exactly one sends each notice.

The consecutive counts move from ``check_state`` (which keeps the check's incident) to
``region_state``; a store from before regions keeps its counts as region ``default``.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "region_state",
        sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), primary_key=True),
        sa.Column("region", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("successes", sa.Integer, nullable=False),
        sa.Column("first_failure_at", STAMP, nullable=True),
        sa.Column("down_since", STAMP, nullable=True),
        sa.Column("conditions", sa.Text, nullable=False),
    )
    op.execute(
        "INSERT INTO region_state (check_id, region, failures, successes, first_failure_at,"
        " down_since, conditions) SELECT check_id, 'default', failures, successes,"
        " first_failure_at, incident_opened_at, COALESCE(incident_conditions, '')"
        " FROM check_state"
    )
    with op.batch_alter_table("check_state") as batch:
        batch.drop_column("failures")
        batch.drop_column("successes")
        batch.drop_column("first_failure_at")
    op.create_table(
        "regions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("last_seen_at", STAMP, nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("channel", sa.String(300), primary_key=True),
        sa.Column("sent", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("last_ok_at", STAMP, nullable=True),
        sa.Column("last_failure_at", STAMP, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("value", sa.Float, nullable=True))
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("regions", sa.Text, nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("claimed_until", STAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("regions")
    with op.batch_alter_table("results") as batch:
        batch.drop_column("value")
    op.drop_table("channels")
    op.drop_table("regions")
    with op.batch_alter_table("check_state") as batch:
        batch.add_column(sa.Column("failures", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("successes", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("first_failure_at", STAMP, nullable=True))
    op.drop_table("region_state")
