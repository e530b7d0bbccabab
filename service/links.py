"""Absolute links, always from NARRATE_PUBLIC_URL, never from the request's Host header:
a request with `Host: evil.example` must not make a feed, an oEmbed answer or the API
point readers (or a shared cache) at another site."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    base = current_app.extensions["narrate.settings"].public_url.rstrip("/")
    return base + url_for(endpoint, **values)
