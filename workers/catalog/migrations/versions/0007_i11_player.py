"""listening statistics per article and day

Revision ID: i11_player
Revises: i13_recover

"""

import sqlalchemy as sa
from alembic import op

revision = "i11_player"
down_revision = "i13_recover"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listen_days",
        sa.Column(
            "article_id",
            sa.String(length=32),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("seconds", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("q25", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("q50", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("q75", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("q100", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("article_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("listen_days")
