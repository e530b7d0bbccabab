"""jobs: when a job last showed progress, and how often it was queued again after a stall

Revision ID: i13_recover
Revises: i14_sec

"""

import sqlalchemy as sa
from alembic import op

revision = "i13_recover"
down_revision = "i14_sec"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("progressed_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("stalls", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table and drops the old one, and with
    # foreign keys on, dropping it deletes every row that refers to it (ON DELETE CASCADE).
    op.drop_column("jobs", "stalls")
    op.drop_column("jobs", "progressed_at")
