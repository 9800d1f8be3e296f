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

# --- work-style assessment -------------------------------------------------------

assessment_periods = sa.Table(
    "assessment_periods", metadata,
    sa.Column("period_id", sa.String(16), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("weight_grassroots", sa.Integer, nullable=False),
    sa.Column("weight_peer", sa.Integer, nullable=False),
    sa.Column("weight_leader", sa.Integer, nullable=False),
    sa.Column("expected_grassroots", sa.Integer, nullable=False),
    sa.Column("expected_peer", sa.Integer, nullable=False),
    sa.Column("expected_leader", sa.Integer, nullable=False),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_by", sa.String(64), nullable=False),
)

assessment_departments = sa.Table(
    "assessment_departments", metadata,
    sa.Column("period_id", sa.String(16), sa.ForeignKey("assessment_periods.period_id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("department", sa.String(100), nullable=False),
)

# One row per rater, target and period: a resubmission replaces the row.
assessment_ratings = sa.Table(
    "assessment_ratings", metadata,
    sa.Column("period_id", sa.String(16), sa.ForeignKey("assessment_periods.period_id"), primary_key=True),
    sa.Column("target_department", sa.String(100), primary_key=True),
    sa.Column("rater_id", sa.String(64), primary_key=True),
    sa.Column("rater_department", sa.String(100), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("efficiency", sa.Integer, nullable=False),
    sa.Column("quality", sa.Integer, nullable=False),
    sa.Column("service", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("suggestion", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
)

# --- energy consumption ---------------------------------------------------------

# Values are in the carrier's base unit; the reported value and unit are kept as sent.
energy_readings = sa.Table(
    "energy_readings", metadata,
    sa.Column("unit_id", sa.String(100), primary_key=True),
    sa.Column("period", sa.String(16), primary_key=True, index=True),
    sa.Column("carrier", sa.String(16), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("reported_value", sa.Float, nullable=False),
    sa.Column("reported_unit", sa.String(16), nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

energy_targets = sa.Table(
    "energy_targets", metadata,
    sa.Column("unit_id", sa.String(100), primary_key=True),
    sa.Column("period", sa.String(16), primary_key=True, index=True),
    sa.Column("carrier", sa.String(16), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("reported_value", sa.Float, nullable=False),
    sa.Column("reported_unit", sa.String(16), nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
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
