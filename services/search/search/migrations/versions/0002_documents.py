"""documents, their versions with extracted text, and their audit trail

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("visibility", sa.Text, nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(64), nullable=False),
        sa.Column("delete_reason", sa.Text, nullable=False),
    )
    op.create_table(
        "document_versions",
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.document_id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("file_name", sa.String(400), nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extraction_status", sa.String(20), nullable=False),
        sa.Column("extraction_error", sa.Text, nullable=False),
        sa.Column("extracted_text", sa.Text, nullable=True),
        sa.Column("extracted_chars", sa.Integer, nullable=False),
        sa.Column("text_truncated", sa.Boolean, nullable=False),
    )
    op.create_table(
        "document_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_document_audit_document_id", "document_audit", ["document_id"])


def downgrade() -> None:
    op.drop_table("document_audit")
    op.drop_table("document_versions")
    op.drop_table("documents")
