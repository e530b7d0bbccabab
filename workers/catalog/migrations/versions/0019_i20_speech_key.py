"""revisions: `speech_key`, the fingerprint of the speech rules its spoken text was made with

Revision ID: i20_speech_key
Revises: i23_continues

"""

import sqlalchemy as sa
from alembic import op

revision = "i20_speech_key"
down_revision = "i23_continues"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # None for a revision said before: a new revision of it says every paragraph anew.
    op.add_column("revisions", sa.Column("speech_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("revisions", "speech_key")
