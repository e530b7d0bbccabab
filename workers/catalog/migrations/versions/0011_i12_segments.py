"""paragraph segments: each paragraph's encoded audio, shared by key, evicted by age

Revision ID: i12_segments
Revises: i12_books

"""

import sqlalchemy as sa
from alembic import op

revision = "i12_segments"
down_revision = "i12_books"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("key", sa.String(length=120), primary_key=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("speech_samples", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_segments_used_at", "segments", ["used_at"])
    op.add_column("paragraphs", sa.Column("segment_key", sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column("paragraphs", "segment_key")
    op.drop_index("ix_segments_used_at", table_name="segments")
    op.drop_table("segments")
