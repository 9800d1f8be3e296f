"""groups, notices, their targets; outbox and processed events

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
        "groups",
        sa.Column("group_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notices",
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notice_targets",
        sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
        sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
