"""work-style assessment (periods, departments, ratings); energy readings and targets

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _quantity_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("unit_id", sa.String(100), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("carrier", sa.String(16), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("reported_value", sa.Float, nullable=False),
        sa.Column("reported_unit", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(f"ix_{name}_period", name, ["period"])


def upgrade() -> None:
    op.create_table(
        "assessment_periods",
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
    op.create_table(
        "assessment_departments",
        sa.Column("period_id", sa.String(16), sa.ForeignKey("assessment_periods.period_id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("department", sa.String(100), nullable=False),
    )
    op.create_table(
        "assessment_ratings",
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
    _quantity_table("energy_readings")
    _quantity_table("energy_targets")


def downgrade() -> None:
    for name in ("energy_targets", "energy_readings", "assessment_ratings", "assessment_departments",
                 "assessment_periods"):
        op.drop_table(name)
