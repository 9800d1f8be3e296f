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
)
