"""Tables of the notice database (besides hubkit's outbox and inbox)."""
import sqlalchemy as sa

metadata = sa.MetaData()

groups = sa.Table(
    "groups", metadata,
    sa.Column("group_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

notices = sa.Table(
    "notices", metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author_id", sa.String(100), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
)

notice_targets = sa.Table(
    "notice_targets", metadata,
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

# Who changed what, when: one row per state change of a notice, group,
# finding, incident or share (written in the transaction of the change).
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entity_kind", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("actor_id", sa.String(100), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # JSON object
    sa.Index("ix_audit_log_entity", "entity_kind", "entity_id", "entry_id"),
)
