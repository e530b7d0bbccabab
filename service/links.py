"""Absolute links, always from NARRATE_PUBLIC_URL, never from the request's Host header:
a request with `Host: evil.example` must not make a feed, an oEmbed answer or the API
point readers (or a shared cache) at another site. An article's links are built by
workers.links (which webhooks use too); a private article's are signed here with the
grant each one carries (service.security.access.LINK_GRANTS)."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from service.security import auth
from service.security.access import LINK_GRANTS
from workers import links
from workers.catalog.models import ArticleRow


def _public_url() -> str:
    return current_app.extensions["narrate.settings"].public_url


def external_url(endpoint: str, **values: Any) -> str:
    """Any route's absolute URL (a feed, a batch, the scripts)."""
    return links.absolute(_public_url(), url_for(endpoint, **values))


def _signed(url: str, article_id: str, name: str) -> str:
    grant = LINK_GRANTS.get(name)
    return auth.sign_link(url, article_id, grant) if grant else url


def links_of(row: ArticleRow, names: tuple[str, ...] = links.API_LINKS) -> dict[str, str]:
    """The article's links named `names`; a private article's are signed for the few
    minutes a player needs (only a reader allowed to see it is given them)."""
    built = links.article_links(_public_url(), row.id, names)
    if row.visibility != "private":
        return built
    return {name: _signed(url, row.id, name) for name, url in built.items()}


def article_url(article_id: str, name: str) -> str:
    """One unsigned link of an article (a feed's, a batch item's)."""
    return links.article_link(_public_url(), article_id, name)


def segment_url(row: ArticleRow, revision: int, index: int) -> str:
    """One paragraph's MP3 segment; signed for a private article."""
    url = links.segment_link(_public_url(), row.id, revision, index)
    return _signed(url, row.id, "segments") if row.visibility == "private" else url
