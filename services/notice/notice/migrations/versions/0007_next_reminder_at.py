"""notices carry when the reminder sweep next has something to do for them

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notices", sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_notices_next_reminder", "notices", ["next_reminder_at"])
    # Published notices with a deadline not yet escalated are due at once:
    # the next sweep plans them, as it looked at all of them before.
    op.execute("UPDATE notices SET next_reminder_at = published_at WHERE status = 'published' "
               "AND ack_deadline IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reminder_stages "
               "WHERE reminder_stages.notice_id = notices.notice_id AND reminder_stages.stage = 'overdue')")


def downgrade() -> None:
    op.drop_index("ix_notices_next_reminder", table_name="notices")
    op.drop_column("notices", "next_reminder_at")
