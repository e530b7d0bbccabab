"""GET /api/v1/articles/<id>/next: the article a listener hears after this one.

The playlist is the article's collection, newest first, as a front page lists it: the
next one is the newest finished article of the same collection published here before
this one that the same reader may see listed (service.security.access: to an anonymous
reader, public articles only; a private one's grant does not open its playlist). Past
the oldest there is none (404), so auto-advance stops there.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import and_, or_, select

from service.errors import ApiError
from service.links import links_of
from service.security import access
from service.web.context import catalog, find_article
from workers.catalog.models import ArticleRow

playlist_api = Blueprint("playlist", __name__, url_prefix="/api/v1")
CANDIDATES = 20  # finished or not, the next few older ones; the first finished is taken


@playlist_api.get("/articles/<article_id>/next")
def next_article(article_id: str):
    with catalog() as session:
        this = find_article(session, article_id)
        older = session.scalars(
            select(ArticleRow)
            .where(
                access.listing().clause(),
                ArticleRow.collection == this.collection,
                or_(
                    ArticleRow.created_at < this.created_at,
                    and_(ArticleRow.created_at == this.created_at, ArticleRow.id > this.id),
                ),
            )
            .order_by(ArticleRow.created_at.desc(), ArticleRow.id)
            .limit(CANDIDATES)
        )
        found = next((row for row in older if row.current.job.status == "done"), None)
        if found is None:
            raise ApiError(
                404,
                "Not found",
                f"no finished article in collection {this.collection!r} comes after {article_id!r}",
            )
        body = {
            "id": found.id,
            "title": found.current.title,
            "collection": found.collection,
            "duration_ms": found.current.duration_ms,
            "source_url": found.current.source_url,  # public: a listed article's page
            "links": links_of(found, ("page", "player")),
        }
    return jsonify(body)
