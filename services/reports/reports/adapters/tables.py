"""Read-model tables of the reports database."""
import sqlalchemy as sa

metadata = sa.MetaData()

group_names = sa.Table(
    "group_names", metadata,
    sa.Column("group_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
)

notice_groups = sa.Table(
    "notice_groups", metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("group_id", sa.String(64), primary_key=True, index=True),
)
