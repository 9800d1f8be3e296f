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
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("notice_posting", sa.String(16), nullable=False, server_default="managers"),
    sa.Column("share_posting", sa.String(16), nullable=False, server_default="all_members"),
)

group_members = sa.Table(
    "group_members", metadata,
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), primary_key=True),
    # The HR/OA employee id, which is the user id in tokens.
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    # Imported by an HR/OA sync: a later sync with remove_missing may remove it.
    sa.Column("synced", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_group_members_user", "user_id"),
)

join_requests = sa.Table(
    "join_requests", metadata,
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
    sa.Column("user_id", sa.String(100), nullable=False),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(100), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_join_requests_group", "group_id", "status"),
)

notices = sa.Table(
    "notices", metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author_id", sa.String(100), nullable=False),
    # Publication time; the planned one while the notice is scheduled.
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("category", sa.String(32), nullable=False, server_default="notice"),
    sa.Column("priority", sa.String(16), nullable=False, server_default="normal"),
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("requires_ack", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="published"),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("author_department", sa.String(100), nullable=False, server_default=""),
    sa.Column("attachment_document_ids", sa.Text, nullable=False, server_default="[]"),  # JSON list
    sa.Column("recipient_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("revoke_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("revoked_by", sa.String(100), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    # When the reminder sweep next has something to do for the notice (see
    # notice.domain.reminders.next_reminder_at); from its publication until
    # the sweep first plans it, None when there is nothing left to do.
    sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True),
    # The sweep looks for scheduled notices whose time has come.
    sa.Index("ix_notices_status", "status", "published_at"),
    sa.Index("ix_notices_next_reminder", "next_reminder_at"),
)

notice_targets = sa.Table(
    "notice_targets", metadata,
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

# Members a notice names individually, besides its groups' members.
notice_recipients = sa.Table(
    "notice_recipients", metadata,
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

notice_versions = sa.Table(
    "notice_versions", metadata,
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("editor_id", sa.String(100), nullable=False),
    sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_fields", sa.Text, nullable=False),  # JSON list
)

# One row per (notice, recipient), created at publication.
receipts = sa.Table(
    "receipts", metadata,
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
    sa.Column("user_id", sa.String(100), primary_key=True),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("ack_comment", sa.Text, nullable=False, server_default=""),
    # The notice's inbox keys, copied at delivery and kept in step with the
    # notice by SqlNoticeRepository.save (edits, revocation), so that a page
    # of an inbox is one range of ix_receipts_inbox however many notices the
    # member received (a join would sort all of them: 65 ms for 14,000).
    sa.Column("notice_status", sa.String(16), nullable=False, server_default="published"),
    sa.Column("notice_pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("notice_published_at", sa.DateTime(timezone=True), nullable=True),  # set on every receipt written
    sa.Column("notice_category", sa.String(32), nullable=False, server_default="notice"),
    sa.Column("notice_priority", sa.String(16), nullable=False, server_default="normal"),
)

# The inbox order: unread first, then pinned, then newest (notice id breaks ties).
INBOX_ORDER = (receipts.c.read_at.is_not(None), receipts.c.notice_pinned.desc(),
               receipts.c.notice_published_at.desc(), receipts.c.notice_id.desc())
# Member and status, then the inbox order; category and priority last, so that
# a filter on them is checked in the index, not row by row in the table.
sa.Index("ix_receipts_inbox", receipts.c.user_id, receipts.c.notice_status, *INBOX_ORDER,
         receipts.c.notice_category, receipts.c.notice_priority)

# Reminder stages sent ("50", "90", "overdue"): written with the outbox row
# of the reminder, so a restart neither loses nor repeats one.
reminder_stages = sa.Table(
    "reminder_stages", metadata,
    sa.Column("notice_id", sa.String(64), sa.ForeignKey("notices.notice_id"), primary_key=True),
    sa.Column("stage", sa.String(16), primary_key=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("pending_count", sa.Integer, nullable=False),
)

learning_shares = sa.Table(
    "learning_shares", metadata,
    sa.Column("share_id", sa.String(64), primary_key=True),
    sa.Column("group_id", sa.String(64), sa.ForeignKey("groups.group_id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.String(400), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author_id", sa.String(100), nullable=False),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reply_to", sa.String(64), sa.ForeignKey("learning_shares.share_id"), nullable=True),
    sa.Index("ix_learning_shares_group", "group_id", "posted_at"),
    sa.Index("ix_learning_shares_reply_to", "reply_to"),
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
