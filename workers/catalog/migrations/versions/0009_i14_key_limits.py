"""a per-key override of the submission rate limit

Revision ID: i14_key_limits
Revises: i12_lanes

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_key_limits"
down_revision = "i12_lanes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("submission_limit", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # in place, not batch mode (see i14_sec)
    op.drop_column("api_keys", "submission_limit")
