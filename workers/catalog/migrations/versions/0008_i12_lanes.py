"""jobs: the index from which the job's next paragraph task is taken

Revision ID: i12_lanes
Revises: i11_player

"""

import sqlalchemy as sa
from alembic import op

revision = "i12_lanes"
down_revision = "i11_player"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("next_paragraph", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table, and dropping the old one deletes
    # every row that refers to it (ON DELETE CASCADE).
    op.drop_column("jobs", "next_paragraph")
