"""unsaid_paragraphs: a revision's cleaned paragraphs still to be said

Revision ID: i20_unsaid
Revises: i22_collections

"""

import sqlalchemy as sa
from alembic import op

revision = "i20_unsaid"
down_revision = "i22_collections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unsaid_paragraphs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "revision_id",
            sa.Integer(),
            sa.ForeignKey("revisions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint("revision_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("unsaid_paragraphs")
