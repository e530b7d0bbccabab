"""paragraphs, unsaid_paragraphs: `continues`, a piece of a written paragraph after its first

Revision ID: i23_continues
Revises: i20_unsaid

"""

import sqlalchemy as sa
from alembic import op

revision = "i23_continues"
down_revision = "i20_unsaid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy of the table on SQLite). A paragraph made so far
    # was read after a paragraph's pause, pieces of a long one included: false keeps it so.
    for table in ("paragraphs", "unsaid_paragraphs"):
        op.add_column(
            table,
            sa.Column("continues", sa.Boolean(), nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    for table in ("paragraphs", "unsaid_paragraphs"):
        op.drop_column(table, "continues")
