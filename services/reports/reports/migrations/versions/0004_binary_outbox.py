"""the outbox stores binary event envelopes (plumbing v2)

Revision ID: 0004
Revises: 0003
"""
from alembic import op

from hubkit.db import upgrade_plumbing_tables_to_v2

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_plumbing_tables_to_v2(op)

