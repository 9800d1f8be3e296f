"""Tables of the search database: the items the index is built from."""
import sqlalchemy as sa

metadata = sa.MetaData()

items = sa.Table(
    "items", metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("item_id", sa.String(64), nullable=False),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("visible_to", sa.Text, nullable=False),  # space-separated principals
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("department", sa.String(200), nullable=False, server_default=""),
    sa.Column("category", sa.String(100), nullable=False, server_default=""),
    sa.Column("author_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("tags", sa.Text, nullable=False, server_default="[]"),  # JSON list
    sa.Column("group_ids", sa.Text, nullable=False, server_default="[]"),  # JSON list
    # Version of the source (a notice's edits); older events do not overwrite newer.
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # Set when the source was revoked: out of the index for good.
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
)

# --- documents (the document platform) -----------------------------------------

documents = sa.Table(
    "documents", metadata,
    sa.Column("document_id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("department", sa.String(200), nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("tags", sa.Text, nullable=False),  # JSON list
    sa.Column("visibility", sa.Text, nullable=False),  # JSON object, see document_repository
    sa.Column("owner_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("deleted_by", sa.String(64), nullable=False),
    sa.Column("delete_reason", sa.Text, nullable=False),
)

document_versions = sa.Table(
    "document_versions", metadata,
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
    sa.Column("extracted_text", sa.Text, nullable=True),  # kept so the index can be rebuilt without re-extracting
    sa.Column("extracted_chars", sa.Integer, nullable=False),
    sa.Column("text_truncated", sa.Boolean, nullable=False),
)

document_audit = sa.Table(
    "document_audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON object
)
