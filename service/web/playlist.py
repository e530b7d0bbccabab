"""GET /api/v1/articles/<id>/next: the article a listener hears after this one.

The playlist is the article's collection, newest first, as a front page lists it: the
next one is the newest finished article of the same collection published here before
this one. Past the oldest there is none (404), so auto-advance stops there.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, url_for
from sqlalchemy import and_, or_, select

from service.errors import ApiError
from service.web.api import _find, settings
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow

playlist_api = Blueprint("playlist", __name__, url_prefix="/api/v1")
CANDIDATES = 20  # finished or not, the next few older ones; the first finished is taken


@playlist_api.get("/articles/<article_id>/next")
def next_article(article_id: str):
    with session_scope(settings().database_url) as session:
        this = _find(session, article_id)
        older = session.scalars(
            select(ArticleRow)
            .where(
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
            "links": {
                "page": url_for("player.article_page", article_id=found.id, _external=True),
                "player": url_for("player.iframe_player", article_id=found.id, _external=True),
            },
        }
    return jsonify(body)
