"""The article list: a page of articles, newest first, by their current job's status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workers.catalog.models import ArticleRow, JobRow, RevisionRow


def list_articles(
    session: Session,
    *,
    status: str | None,
    page: int,
    per_page: int,
    collections: tuple[str, ...] | None = None,
    visibility: str | None = None,
) -> tuple[list[ArticleRow], int]:
    """One page of the articles (with their revisions and jobs) and how many there are:
    those whose current revision's job has `status` (None: any), in `collections`
    (None: all) and of `visibility` (None: any)."""
    latest = (
        select(RevisionRow.article_id, func.max(RevisionRow.id).label("revision_id"))
        .group_by(RevisionRow.article_id)
        .subquery()
    )
    query = select(ArticleRow).join(latest, latest.c.article_id == ArticleRow.id)
    if status:
        query = query.join(JobRow, JobRow.revision_id == latest.c.revision_id).where(
            JobRow.status == status
        )
    if collections is not None:
        query = query.where(ArticleRow.collection.in_(collections))
    if visibility is not None:
        query = query.where(ArticleRow.visibility == visibility)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(ArticleRow.revisions).joinedload(RevisionRow.job))
        .order_by(ArticleRow.created_at.desc(), ArticleRow.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), total
