"""revisions: the text as submitted until a worker cleans it; its lexicon's fingerprint

Revision ID: i12_fastpost
Revises: i12_segments

"""

import sqlalchemy as sa
from alembic import op

revision = "i12_fastpost"
down_revision = "i12_segments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.add_column(sa.Column("raw_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("raw_format", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("lexicon_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch_op:
        batch_op.drop_column("lexicon_key")
        batch_op.drop_column("raw_format")
        batch_op.drop_column("raw_text")
