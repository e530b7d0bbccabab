"""Pages and the embeddable player: /, /articles/<id>, /player/<id>, /oembed, /embed.js."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from flask import Blueprint, jsonify, render_template, request, send_from_directory, url_for

from service.api import settings, summary
from service.errors import ApiError
from service.sanitize import is_id
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow
from workers.catalog.repository import list_articles

ASSETS = Path(__file__).with_name("player_assets")
player = Blueprint("player", __name__, template_folder="player_templates")
OEMBED_WIDTH, OEMBED_HEIGHT = 640, 132
RECENT = 20
_ARTICLE_PATH = re.compile(r"^/(?:articles|player)/([A-Za-z0-9_-]+)/?$")


def _article(article_id: str) -> dict | None:
    if not is_id(article_id):
        return None
    with session_scope(settings().database_url) as session:
        row = session.get(ArticleRow, article_id)
        if row is None:
            return None
        revision = row.current
        return {
            "id": row.id,
            "title": revision.title,
            "byline": revision.byline,
            "published": revision.published,
            "paragraphs": [p.text for p in revision.paragraphs],
        }


@player.get("/")
def index():
    with session_scope(settings().database_url) as session:
        rows, _ = list_articles(session, status=None, page=1, per_page=RECENT)
        recent = [summary(row) for row in rows]
    token_required = bool(settings().api_tokens)
    return render_template("narrate_index.html", recent=recent, token_required=token_required)


def _article_page(article_id: str, template: str, headers: dict[str, str] | None = None):
    article = _article(article_id)
    if article is None:
        return render_template("narrate_missing.html", article_id=article_id), 404
    return render_template(template, article=article), 200, headers or {}


@player.get("/articles/<article_id>")
def article_page(article_id: str):
    return _article_page(article_id, "narrate_article.html")


@player.get("/player/<article_id>")
def iframe_player(article_id: str):
    return _article_page(
        article_id, "narrate_player.html", {"Content-Security-Policy": "frame-ancestors *"}
    )


@player.get("/embed.js")
def embed():
    return send_from_directory(ASSETS, "embed.js", mimetype="text/javascript", max_age=300)


@player.get("/oembed")
def oembed():
    """oEmbed (https://oembed.com) for an article or player URL of this service."""
    url = request.args.get("url", "")
    if request.args.get("format", "json") != "json":
        raise ApiError(501, "Not implemented", "only format=json is offered")
    match = _ARTICLE_PATH.match(urlparse(url).path)
    article = _article(match.group(1)) if match else None
    if article is None:
        raise ApiError(
            404, "Not found", f"{url!r} is not the URL of an article here (…/articles/ID)"
        )
    src = url_for("player.iframe_player", article_id=article["id"], _external=True)
    width = max(200, min(request.args.get("maxwidth", OEMBED_WIDTH, type=int), OEMBED_WIDTH))
    html = (
        f'<iframe src="{src}" width="{width}" height="{OEMBED_HEIGHT}" '
        f'title="Listen to this article" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
    return jsonify(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": "Narrate",
            "provider_url": url_for("player.index", _external=True),
            "title": article["title"],
            "html": html,
            "width": width,
            "height": OEMBED_HEIGHT,
        }
    )
