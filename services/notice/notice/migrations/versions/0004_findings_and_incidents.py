"""inspection findings, incident routing and field incidents

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("finding_id", sa.String(64), primary_key=True),
        sa.Column("area", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("responsible_unit", sa.String(100), nullable=False),
        sa.Column("responsible_person", sa.String(100), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inspector_id", sa.String(100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("photo_document_ids", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rectification_note", sa.Text, nullable=False),
        sa.Column("evidence_document_ids", sa.Text, nullable=False),
        sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_reason", sa.Text, nullable=False),
        sa.Column("reopened_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_findings_opened_at", "findings", ["opened_at"])
    op.create_index("ix_findings_status_due_at", "findings", ["status", "due_at"])
    op.create_table(
        "incident_routes",
        sa.Column("kind", sa.String(50), primary_key=True),
        sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("latitude", sa.Float, nullable=True),
        sa.Column("longitude", sa.Float, nullable=True),
        sa.Column("photo_document_ids", sa.Text, nullable=False),
        sa.Column("reporter_id", sa.String(100), nullable=False),
        sa.Column("reporter_department", sa.String(100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
        sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), nullable=False),
    )
    op.create_index("ix_incidents_reported_at", "incidents", ["reported_at"])
