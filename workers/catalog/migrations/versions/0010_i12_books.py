"""batch items found by revision: a finished job looks up its batches by an index

Revision ID: i12_books
Revises: i14_key_limits

"""

from alembic import op

revision = "i12_books"
down_revision = "i14_key_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_batch_items_revision_id", "batch_items", ["revision_id"])


def downgrade() -> None:
    op.drop_index("ix_batch_items_revision_id", table_name="batch_items")
