"""notice read model; outbox and processed events

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from hubkit.db import create_plumbing_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing_tables_v1(op)
    op.create_table(
        "group_names",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_table(
        "notice_groups",
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("group_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_notice_groups_group_id", "notice_groups", ["group_id"])
