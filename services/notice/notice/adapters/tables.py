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

# --- inspection findings and field incidents (问题整改, 突发事件) ---------------

findings = sa.Table(
    "findings", metadata,
    sa.Column("finding_id", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(100), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("responsible_unit", sa.String(100), nullable=False),
    sa.Column("responsible_person", sa.String(100), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("inspector_id", sa.String(100), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("photo_document_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rectification_note", sa.Text, nullable=False),
    sa.Column("evidence_document_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reopen_reason", sa.Text, nullable=False),
    sa.Column("reopened_count", sa.Integer, nullable=False),
    sa.Index("ix_findings_opened_at", "opened_at"),
    sa.Index("ix_findings_status_due_at", "status", "due_at"),
)

# Which group receives each kind of incident, as dispatch configured it.
incident_routes = sa.Table(
    "incident_routes", metadata,
    sa.Column("kind", sa.String(50), primary_key=True),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
    sa.Column("set_by", sa.String(100), nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
)

incidents = sa.Table(
    "incidents", metadata,
    sa.Column("incident_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("location", sa.String(200), nullable=False),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    sa.Column("photo_document_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("reporter_id", sa.String(100), nullable=False),
    sa.Column("reporter_department", sa.String(100), nullable=False),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), nullable=False),
    sa.Index("ix_incidents_reported_at", "reported_at"),
)
