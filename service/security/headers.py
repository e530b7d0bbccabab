"""Security and caching headers on every response, decided in one place.

Pages get a Content-Security-Policy whose scripts and styles are this service's own files or
inline blocks carrying the response's nonce; nothing may frame a page except the
iframe player (`NARRATE_FRAME_ANCESTORS`). Caching: what a client changed or
authenticated for is never stored; other API answers are revalidated every time
(status moves on); responses that set their own lifetime (audio, embed.js) keep it.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

from workers.config import Settings

FRAMEABLE_ENDPOINTS = {"player.iframe_player"}
HSTS = "max-age=31536000"


def csp_nonce() -> str:
    """This response's nonce for inline <script> blocks (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def page_policy(nonce: str, frame_ancestors: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",  # the player's own styles are constructed sheets
            "img-src 'self' data:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def init_headers(app: Flask, settings: Settings) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    https = settings.public_url.startswith("https://")

    @app.after_request
    def _headers(response: Response) -> Response:
        frameable = request.endpoint in FRAMEABLE_ENDPOINTS
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if response.mimetype == "text/html":
            ancestors = settings.frame_ancestors if frameable else "'none'"
            headers["Content-Security-Policy"] = page_policy(csp_nonce(), ancestors)
        else:
            headers.setdefault("Content-Security-Policy", DATA_POLICY)
        if not frameable:
            headers["X-Frame-Options"] = "DENY"
        if https:
            headers["Strict-Transport-Security"] = HSTS
        if "Cache-Control" not in headers:
            headers["Cache-Control"] = _cache_control(response)
        elif request.headers.get("Authorization"):
            headers["Cache-Control"] = "private, no-store"
        return response


def _cache_control(response: Response) -> str:
    if request.method not in {"GET", "HEAD"} or request.headers.get("Authorization"):
        return "private, no-store"
    if response.status_code >= 400:
        return "no-store"
    return "no-cache"  # may be kept, but asked again every time: status moves on
