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

# --- event journal, read models and stored reports (migration 0003) ----------

# Every consumed event in order, so the read models can be rebuilt by replay.
event_journal = sa.Table(
    "event_journal", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # proto3 JSON of the payload
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

rm_notices = sa.Table(
    "rm_notices", metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("author_department", sa.String(100), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("requires_ack", sa.Boolean, nullable=False),
    sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=True),
    sa.Column("recipient_count", sa.Integer, nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

rm_receipts = sa.Table(
    "rm_receipts", metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
)

# Recipients who had not acknowledged when a notice's deadline passed.
rm_laggards = sa.Table(
    "rm_laggards", metadata,
    sa.Column("notice_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("ack_deadline", sa.DateTime(timezone=True), nullable=False),
)

rm_findings = sa.Table(
    "rm_findings", metadata,
    sa.Column("finding_id", sa.String(64), primary_key=True),
    sa.Column("area", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("responsible_unit", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("rectified_at", sa.DateTime(timezone=True), nullable=True),
)

rm_incidents = sa.Table(
    "rm_incidents", metadata,
    sa.Column("incident_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("location", sa.String(200), nullable=False),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

# Generated reports: one per (kind, period); their renderings are stored
# content-addressed in report_contents, in the same transaction as the row
# and its report.generated event.
reports = sa.Table(
    "reports", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("report_id", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("period", sa.String(20), nullable=False),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("visible_departments", sa.Text, nullable=False),  # newline-separated; empty: everyone
    sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("kind", "period", name="uq_reports_kind_period"),
)

report_files = sa.Table(
    "report_files", metadata,
    sa.Column("report_id", sa.String(64), primary_key=True),
    sa.Column("format", sa.String(10), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
)

report_contents = sa.Table(
    "report_contents", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)
