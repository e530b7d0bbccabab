"""collections: a collection's settings (feed, cover, player branding)

Revision ID: i22_collections
Revises: i21_style

"""

import sqlalchemy as sa
from alembic import op

revision = "i22_collections"
down_revision = "i21_style"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("artwork", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("collections")
