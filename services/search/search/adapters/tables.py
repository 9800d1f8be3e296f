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
