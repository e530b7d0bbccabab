"""one article per content; stored text without control characters

Revision ID: i13_input
Revises: 0002

Identical submissions at the same moment could each create an article. From here an
article without an external_id holds its current content hash in `content_key`, under a
unique index, and submitting looks it up there.

Existing duplicates (several such articles whose current revisions have the same content)
are all kept: readers' pages may link to any of their ids. One of them holds the content:
the newest whose job did not fail or get cancelled (else the newest), which is the one the
lookup found before. The others keep no key and stay reachable by id.

Text stored before control characters were removed at the edge (NUL and the like, and on
SQLite bytes that are not UTF-8) is cleaned too, since titles and paragraphs go into
podcast feeds, which must be XML.

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "i13_input"
down_revision = "0002"
branch_labels = None
depends_on = None

# A copy of service.intake.sanitize's rule (a migration must not change when the app does).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")
_TEXT_COLUMNS = {"revisions": ("title", "byline"), "paragraphs": ("text",)}
_GIVEN_UP = ("failed", "cancelled")


def upgrade() -> None:
    op.add_column("articles", sa.Column("content_key", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    for table, columns in _TEXT_COLUMNS.items():
        _clean_text(connection, table, columns)
    _claim_contents(connection)
    op.create_index(op.f("ix_articles_content_key"), "articles", ["content_key"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_articles_content_key"), table_name="articles")
    # Not batch mode: on SQLite that copies the table and drops the old one, and with
    # foreign keys on, dropping it deletes every revision (ON DELETE CASCADE).
    op.drop_column("articles", "content_key")


def _clean(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):  # SQLite stores whatever bytes it was given
        value = value.decode("utf-8", "replace")
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", value))


def _clean_text(connection, table: str, columns: tuple[str, ...]) -> None:
    sqlite = connection.dialect.name == "sqlite"
    selected = ", ".join(f"CAST({c} AS BLOB)" if sqlite else c for c in columns)
    query = f"SELECT id, {selected} FROM {table}"
    if not sqlite:  # PostgreSQL text is valid UTF-8 without NUL: only other controls
        query += " WHERE " + " OR ".join(
            f"{c} ~ '[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufffe\\uffff]'" for c in columns
        )
    changed = []
    for row in connection.execute(sa.text(query)):
        stored = row[1:]
        cleaned = [_clean(value) for value in stored]
        if sqlite:
            stored = [v.decode("utf-8", "surrogateescape") if v is not None else v for v in stored]
        if list(stored) != cleaned:
            changed.append({"id": row[0], **dict(zip(columns, cleaned, strict=True))})
    if changed:
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        connection.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), changed)


def _claim_contents(connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT a.id, r.content_hash, r.id, j.status FROM articles a"
            " JOIN revisions r ON r.article_id = a.id"
            " LEFT JOIN jobs j ON j.revision_id = r.id"
            " WHERE a.external_id IS NULL AND r.number ="
            " (SELECT max(number) FROM revisions WHERE article_id = a.id)"
        )
    )
    holders: dict[str, tuple[tuple[bool, int], str]] = {}  # content -> (rank, article)
    for article_id, digest, revision_id, status in rows:
        rank = (status not in _GIVEN_UP, revision_id)
        if digest not in holders or rank > holders[digest][0]:
            holders[digest] = (rank, article_id)
    claims = [{"key": digest, "id": article_id} for digest, (_, article_id) in holders.items()]
    if claims:
        connection.execute(sa.text("UPDATE articles SET content_key = :key WHERE id = :id"), claims)
