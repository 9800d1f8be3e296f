"""group members and joining, notice details and versions, receipts, reminder stages, learning shares

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite cannot rebuild a table that
    # others reference while foreign keys are enforced.
    op.add_column("groups", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("groups", sa.Column("notice_posting", sa.String(16), nullable=False, server_default="managers"))
    op.add_column("groups", sa.Column("share_posting", sa.String(16), nullable=False,
                                      server_default="all_members"))
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), primary_key=True),
        sa.Column("user_id", sa.String(100), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synced", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_group_members_user", "group_members", ["user_id"])
    # Groups created before members existed: their creator becomes the owner.
    op.execute("INSERT INTO group_members (group_id, user_id, department, role, joined_at, synced) "
               "SELECT group_id, created_by, department, 'owner', created_at, false FROM groups")
    op.create_table(
        "join_requests",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
        sa.Column("user_id", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_join_requests_group", "join_requests", ["group_id", "status"])

    for column in [
        sa.Column("category", sa.String(32), nullable=False, server_default="notice"),
        sa.Column("priority", sa.String(16), nullable=False, server_default="normal"),
        sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("requires_ack", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="published"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_department", sa.String(100), nullable=False, server_default=""),
        sa.Column("attachment_document_ids", sa.Text, nullable=False, server_default="[]"),
        sa.Column("recipient_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revoke_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    ]:
        op.add_column("notices", column)
    op.create_index("ix_notices_status", "notices", ["status", "published_at"])
    op.create_table(
        "notice_recipients",
        sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
        sa.Column("user_id", sa.String(100), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "notice_versions",
        sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("editor_id", sa.String(100), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_fields", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO notice_versions (notice_id, version, title, body, category, priority, editor_id, "
               "edited_at, changed_fields) SELECT notice_id, 1, title, body, 'notice', 'normal', author_id, "
               "published_at, '[]' FROM notices")
    op.create_table(
        "receipts",
        sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
        sa.Column("user_id", sa.String(100), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ack_comment", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_receipts_user", "receipts", ["user_id", "notice_id"])
    op.create_table(
        "reminder_stages",
        sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
        sa.Column("stage", sa.String(16), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pending_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "learning_shares",
        sa.Column("share_id", sa.String(64), primary_key=True),
        sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author_id", sa.String(100), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_to", sa.String(64), sa.ForeignKey("learning_shares.share_id"), nullable=True),
    )
    op.create_index("ix_learning_shares_group", "learning_shares", ["group_id", "posted_at"])
    op.create_index("ix_learning_shares_reply_to", "learning_shares", ["reply_to"])
