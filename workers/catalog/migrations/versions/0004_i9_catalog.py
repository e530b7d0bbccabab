"""publisher boilerplate lines, article language, clips a job synthesised

Revision ID: i9_catalog
Revises: i13_input

"""

import sqlalchemy as sa
from alembic import op

revision = "i9_catalog"
down_revision = "i13_input"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publisher_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("publisher", "fingerprint", "article_id"),
    )
    with op.batch_alter_table("publisher_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publisher_lines_article_id"), ["article_id"], unique=False
        )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("synthesised", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table and drops the old one, and with
    # foreign keys on, dropping it deletes every row that refers to it (ON DELETE CASCADE).
    op.drop_column("jobs", "synthesised")
    op.drop_column("revisions", "language")
    op.drop_index(op.f("ix_publisher_lines_article_id"), table_name="publisher_lines")
    op.drop_table("publisher_lines")
