"""API keys and article visibility

Revision ID: i14_sec
Revises: i9_catalog

"""

import sqlalchemy as sa
from alembic import op

revision = "i14_sec"
down_revision = "i9_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("collections", sa.JSON(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # Articles stored before visibility existed were listed in feeds: they stay public.
    with op.batch_alter_table("articles") as batch:
        batch.add_column(
            sa.Column("visibility", sa.String(length=10), nullable=False, server_default="public")
        )
        batch.create_index("ix_articles_visibility", ["visibility"])


def downgrade() -> None:
    op.drop_index("ix_articles_visibility", table_name="articles")
    # Not batch mode: on SQLite that copies the table and drops the old one, and with
    # foreign keys on, dropping it deletes every row that refers to it (ON DELETE CASCADE).
    op.drop_column("articles", "visibility")
    op.drop_table("api_keys")
