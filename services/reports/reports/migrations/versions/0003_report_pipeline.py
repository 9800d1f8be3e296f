"""event journal, notice/receipt/finding/incident read models, stored reports

Revision ID: 0003
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_journal",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rm_notices",
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("author_department", sa.String(100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requires_ack", sa.Boolean, nullable=False),
        sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient_count", sa.Integer, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_rm_notices_published_at", "rm_notices", ["published_at"])
    op.create_table(
        "rm_receipts",
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "rm_laggards",
        sa.Column("notice_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rm_findings",
        sa.Column("finding_id", sa.String(64), primary_key=True),
        sa.Column("area", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("responsible_unit", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_rm_findings_opened_at", "rm_findings", ["opened_at"])
    op.create_table(
        "rm_incidents",
        sa.Column("incident_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rm_incidents_reported_at", "rm_incidents", ["reported_at"])
    op.create_table(
        "reports",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("visible_departments", sa.Text, nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "period", name="uq_reports_kind_period"),
    )
    op.create_table(
        "report_files",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("format", sa.String(10), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
    )
    op.create_table(
        "report_contents",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
