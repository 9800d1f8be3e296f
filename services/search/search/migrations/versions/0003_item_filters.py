"""filter fields, source version and withdrawal of searchable items

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
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("department", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("category", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("author_id", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("tags", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("group_ids", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        for column in ("withdrawn_at", "version", "group_ids", "tags", "author_id", "category", "department"):
            batch.drop_column(column)
