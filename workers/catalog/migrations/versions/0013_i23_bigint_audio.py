"""audio counts are 64-bit: segments' frames, speech samples and bytes, revisions' duration

A 599 s paragraph is 2,631,800,113 speech samples, past PostgreSQL's 32-bit integer.
SQLite is left alone: its integers are 64-bit whatever the declared type, and changing
a type there means copying the table, whose drop would cascade to the rows that
reference it (a revision's jobs and paragraphs).

Revision ID: i23_bigint_audio
Revises: i12_fastpost

"""

import sqlalchemy as sa
from alembic import op

revision = "i23_bigint_audio"
down_revision = "i12_fastpost"
branch_labels = None
depends_on = None

_COLUMNS = {
    "segments": [("frames", False), ("speech_samples", False), ("size", False)],
    "revisions": [("duration_ms", True)],
}


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in _COLUMNS.items():
        for name, nullable in columns:
            op.alter_column(table, name, existing_type=old, type_=new, existing_nullable=nullable)


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())
