"""receipts carry their notice's inbox keys; one index gives any page of an inbox

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (see 0003); notice_published_at stays nullable because
    # SQLite cannot add a NOT NULL column without a default.
    for column in [
        sa.Column("notice_status", sa.String(16), nullable=False, server_default="published"),
        sa.Column("notice_pinned", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("notice_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_category", sa.String(32), nullable=False, server_default="notice"),
        sa.Column("notice_priority", sa.String(16), nullable=False, server_default="normal"),
    ]:
        op.add_column("receipts", column)
    # UPDATE ... FROM: PostgreSQL, and SQLite since 3.33.
    op.execute("UPDATE receipts SET notice_status = notices.status, notice_pinned = notices.pinned, "
               "notice_published_at = notices.published_at, notice_category = notices.category, "
               "notice_priority = notices.priority FROM notices WHERE notices.notice_id = receipts.notice_id")
    # Only the inbox looked receipts up by user; the new index serves it.
    op.drop_index("ix_receipts_user", table_name="receipts")
    op.create_index("ix_receipts_inbox", "receipts", [
        "user_id", "notice_status", sa.text("(read_at IS NOT NULL)"), sa.text("notice_pinned DESC"),
        sa.text("notice_published_at DESC"), sa.text("notice_id DESC"), "notice_category", "notice_priority"])
