"""articles: an external_id is unique within its collection, not across all of them

Revision ID: i23_identity
Revises: i12_fastpost

"""

from alembic import op

revision = "i23_identity"
down_revision = "i23_bigint_audio"
branch_labels = None
depends_on = None

# 0001 made the constraint without a name: PostgreSQL named it, SQLite did not (batch
# mode finds it by this naming convention, and copies the table without it).
_UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_OLD = {"postgresql": "articles_external_id_key", "sqlite": "uq_articles_external_id"}
_NEW = "uq_articles_collection_external_id"


def _dialect() -> str:
    """The database's dialect; on SQLite, refused with foreign keys on (the copy of the
    table would delete every revision: workers.catalog.db.migrating turns them off)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migrate SQLite with foreign keys off (workers.catalog.db.migrating): copying "
            "the articles table with them on would delete every revision"
        )
    return bind.dialect.name


def upgrade() -> None:
    dialect = _dialect()
    with op.batch_alter_table("articles", naming_convention=_UNNAMED) as batch:
        batch.drop_constraint(_OLD.get(dialect, "articles_external_id_key"), type_="unique")
        batch.create_unique_constraint(_NEW, ["collection", "external_id"])


def downgrade() -> None:
    dialect = _dialect()
    with op.batch_alter_table("articles", naming_convention=_UNNAMED) as batch:
        batch.drop_constraint(_NEW, type_="unique")
        batch.create_unique_constraint(
            _OLD.get(dialect, "uq_articles_external_id"), ["external_id"]
        )
