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
    # The notices awaiting reminders are planned by the worker as it starts
    # (reminder_handlers.replan), as after any change of its schedule.


def downgrade() -> None:
    op.drop_index("ix_notices_next_reminder", table_name="notices")
    op.drop_column("notices", "next_reminder_at")
