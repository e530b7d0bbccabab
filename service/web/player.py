"""Pages and the embeddable player: /, /articles/<id>, /player/<id>, /oembed, /embed.js."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from flask import Blueprint, jsonify, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service.errors import ApiError
from service.links import article_url, external_url
from service.security import access, auth
from service.web.assets import StaticScript
from service.web.context import catalog, find_article, settings
from service.web.views import summary
from service.web.voices import listed_voices
from workers.catalog.listens import plays_by_article
from workers.catalog.models import ArticleRow, RevisionRow

ASSETS = Path(__file__).with_name("player_assets")
# embed.js, as one script from its parts by concern (in this order: each uses the ones before)
EMBED_PARTS = ("base", "look", "player", "stream", "controls", "read_along", "stats", "host")
embed_script = StaticScript(tuple(ASSETS / f"{part}.js" for part in EMBED_PARTS))
player = Blueprint("player", __name__, template_folder="player_templates")
OEMBED_WIDTH, OEMBED_HEIGHT, OEMBED_COMPACT_HEIGHT, OEMBED_MIN_WIDTH = 640, 130, 80, 240
YEAR_S = 365 * 24 * 3600
RECENT = 20
_ARTICLE_PATH = re.compile(r"^/(?:articles|player)/([A-Za-z0-9_-]+)/?$")


def _article(article_id: str, grant: str | None = None) -> dict | None:
    """What the pages show of an article this reader may read (`grant`: the player's, which
    a private article's signed player link carries), or None."""
    with catalog() as session:
        try:
            row = find_article(session, article_id, grant)
        except ApiError:
            return None
        revision = row.current
        return {
            "id": row.id,
            "title": revision.title,
            "byline": revision.byline,
            "published": revision.published,
            "paragraphs": revision.written,
            "revision": revision.number,
            "removed": revision.removed,
            "language": revision.language,
        }


@player.get("/")
def index():
    token_required = auth.protected()
    with catalog() as session:
        rows = session.scalars(
            select(ArticleRow)
            .where(access.listing().clause())
            .options(selectinload(ArticleRow.revisions).joinedload(RevisionRow.job))
            .order_by(ArticleRow.created_at.desc(), ArticleRow.id)
            .limit(RECENT)
        )
        recent = [summary(row) for row in rows]
        plays = plays_by_article(session, [article["id"] for article in recent])
    return render_template(
        "narrate_index.html",
        recent=recent,
        plays=plays,
        token_required=token_required,
        voices=listed_voices(),
        default_voice=settings().voice,
    )


def _article_page(article_id: str, template: str):
    article = _article(article_id)
    if article is None:
        return render_template("narrate_missing.html", article_id=article_id), 404
    return render_template(template, article=article, token_required=auth.protected())


@player.get("/articles/<article_id>")
def article_page(article_id: str):
    return _article_page(article_id, "narrate_article.html")


@player.app_context_processor
def _embed_url() -> dict:
    return {"embed_url": url_for("player.embed_versioned", version=embed_script.version())}


@player.get("/player/<article_id>")
def iframe_player(article_id: str):
    """The player alone, for iframes (frameable: service.security.headers). An unknown id gets the
    same small player, which says the audio is not available, rather than a whole page
    inside someone's article."""
    article = _article(article_id, auth.PLAYER_GRANT)
    status = 200 if article is not None else 404
    shown = article or {"id": article_id, "title": ""}
    granted = article is not None and auth.signed_for(article_id, auth.PLAYER_GRANT)
    signature = auth.player_signature() if granted else ""
    return render_template("narrate_player.html", article=shown, signature=signature), status


@player.get("/embed.js")
def embed():
    """The URL publishers paste: revalidated every few minutes so a new release arrives."""
    return embed_script.response(request, max_age=300)


@player.get("/embed.<version>.js")
def embed_versioned(version: str):
    """The same script under its content hash: cached for a year, never revalidated."""
    if version != embed_script.version():
        return embed_script.response(request, max_age=300)
    return embed_script.response(request, max_age=YEAR_S, immutable=True)


@player.get("/oembed")
def oembed():
    """oEmbed (https://oembed.com) for an article or player URL of this service only."""
    url = request.args.get("url", "")
    if request.args.get("format", "json") != "json":
        raise ApiError(501, "Not implemented", "only format=json is offered")
    parsed = urlparse(url)
    if parsed.netloc.lower() not in _own_hosts():
        raise ApiError(
            404,
            "Not found",
            f"{url!r} is not on this Narrate: give the URL of one of its articles "
            f"({settings().public_url.rstrip('/')}/articles/ID)",
        )
    match = _ARTICLE_PATH.match(parsed.path)
    article = _article(match.group(1)) if match else None
    if article is None:
        raise ApiError(
            404, "Not found", f"{url!r} is not the URL of an article here (…/articles/ID)"
        )
    width, height = oembed_size(
        request.args.get("maxwidth", type=int), request.args.get("maxheight", type=int)
    )
    src = article_url(article["id"], "player")
    script = external_url("player.embed")
    html = (
        f'<iframe src="{src}" width="{width}" height="{height}" title="Listen to this article" '
        f'style="border:0;width:100%;max-width:{width}px;color-scheme:normal" '
        f'loading="lazy" allow="autoplay"></iframe>'
        f'<script src="{script}" async></script>'
    )
    return jsonify(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": "Narrate",
            "provider_url": external_url("player.index"),
            "title": article["title"],
            "html": html,
            "width": width,
            "height": height,
        }
    )


def _own_hosts() -> set[str]:
    return {request.host.lower(), urlparse(settings().public_url).netloc.lower()}


def oembed_size(maxwidth: int | None, maxheight: int | None) -> tuple[int, int]:
    """The iframe's size within the consumer's limits: full width up to 640 px, the full
    player's height, or the compact one (play and seek only) where that is all that fits."""
    width = OEMBED_WIDTH if maxwidth is None else min(maxwidth, OEMBED_WIDTH)
    if width < OEMBED_MIN_WIDTH:
        raise ApiError(
            404, "Not found", f"the player needs at least {OEMBED_MIN_WIDTH} px: raise maxwidth"
        )
    if maxheight is None or maxheight >= OEMBED_HEIGHT:
        return width, OEMBED_HEIGHT
    if maxheight < OEMBED_COMPACT_HEIGHT:
        raise ApiError(
            404,
            "Not found",
            f"the smallest player is {OEMBED_COMPACT_HEIGHT} px high: raise maxheight",
        )
    return width, OEMBED_COMPACT_HEIGHT
