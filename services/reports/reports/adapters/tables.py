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
