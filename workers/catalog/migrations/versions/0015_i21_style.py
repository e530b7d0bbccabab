"""revisions: the house style an article is said in (en-GB, en-US)

Revision ID: i21_style
Revises: i23_identity

"""

import sqlalchemy as sa
from alembic import op

revision = "i21_style"
down_revision = "i23_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy of the table on SQLite). Every revision cleaned
    # so far was said in British style; one still being cleaned keeps NULL, so the worker
    # chooses its style (by its voice and the deployment's NARRATE_STYLE).
    op.add_column("revisions", sa.Column("style", sa.String(length=8), nullable=True))
    op.execute("UPDATE revisions SET style = 'en-GB' WHERE raw_text IS NULL")


def downgrade() -> None:
    op.drop_column("revisions", "style")
