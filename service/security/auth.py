"""Who the request is and what it may change: API keys with scopes, signed media links
(what each reader may read is service.security.access's rule).

The service is *protected* once any API key exists in the catalog (`narrate keys
create`) or NARRATE_API_TOKENS is set (each such token acts as an admin key). Then:

- every change (POST, PUT, PATCH, DELETE) needs a key with the write scope;
- the article list, batches, archives, full text and private metadata (external_id,
  source_url, callback_url, webhook deliveries) need the read scope;
- anonymous readers get what a player needs of public and unlisted articles, and
  nothing of private ones except through a short-lived signed media link;
- a key limited to collections sees and changes only their articles.

Unprotected (no key at all), everything is open, which is only allowed on a loopback
address: checked at start-up (service.cli.serve, service.gunicorn_conf) and at every
request (`_open_only_on_loopback`), since the last key may be revoked while the service
runs. The first key over the API comes only from a loopback client.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from flask import Flask, current_app, g, request

from service.errors import ApiError
from service.security import exposure
from workers.catalog.db import session_scope
from workers.catalog.keys import Principal, any_active_key, authenticate
from workers.config import Settings
from workers.storage.secret_files import secret_in

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_ENDPOINTS = frozenset({"listens.record_listen"})  # readers' listening beacons
HEALTH_ENDPOINTS = frozenset({"healthz", "readyz"})  # answered even by an exposed open service
FIRST_KEY_ENDPOINT = "keys.create_api_key"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="narrate"'}
TOKEN_PRINCIPAL = "NARRATE_API_TOKENS"
SIGNED_LINK_LIFETIME_S = 600
# A private article's player link is signed for this; it lets the player read the
# article's status and media for the link's lifetime: audio, segments, timings and
# captions (these three carry the paragraphs' text), not the article's JSON, page,
# playlist or statistics.
PLAYER_GRANT = "player"
PLAYER_READS = frozenset({PLAYER_GRANT, "status", ".mp3", ".json", ".vtt", "segments"})
HOW_TO_SEND = (
    "send the header 'Authorization: Bearer KEY' with a key from 'narrate keys create' "
    "(or one of the server's NARRATE_API_TOKENS)"
)


def _settings() -> Settings:
    return current_app.extensions["narrate.settings"]


def protected() -> bool:
    """Whether this deployment asks for keys (decided once per request)."""
    if "narrate_protected" not in g:
        settings = _settings()
        if settings.api_tokens:
            g.narrate_protected = True
        else:
            with session_scope(settings.database_url) as session:
                g.narrate_protected = any_active_key(session)
    return g.narrate_protected


def principal() -> Principal | None:
    """The key this request carries, checked (None without one). A key that is given
    but wrong is a 401 on any request, so a client notices at once."""
    if "narrate_principal" in g:
        return g.narrate_principal
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip()
    found: Principal | None = None
    if scheme or given:
        if scheme.lower() != "bearer" or not given:
            raise unauthorized(f"this Narrate takes API keys as bearer tokens: {HOW_TO_SEND}")
        found = _token_principal(given) or _key_principal(given)
        if found is None:
            raise unauthorized("the API key is not one this server accepts (or it was revoked)")
    g.narrate_principal = found
    return found


def _token_principal(given: str) -> Principal | None:
    # compare with every token, so the time taken says nothing about which was close
    tokens = _settings().api_tokens
    matches = [hmac.compare_digest(given.encode(), token.encode()) for token in tokens]
    return Principal(TOKEN_PRINCIPAL, "admin") if any(matches) else None


def _key_principal(given: str) -> Principal | None:
    with session_scope(_settings().database_url) as session:
        return authenticate(session, given)


def unauthorized(detail: str) -> ApiError:
    return ApiError(401, "Unauthorized", detail, CHALLENGE)


def require(scope: str, collection: str | None = None) -> Principal | None:
    """Raise unless the request may act with `scope` (on `collection`, if given)."""
    if not protected():
        return principal()
    who = principal()
    if who is None:
        raise unauthorized(f"this needs an API key with the {scope} scope: {HOW_TO_SEND}")
    if not who.allows(scope):
        raise ApiError(
            403,
            "Forbidden",
            f"the key {who.name!r} has the {who.scope} scope; this needs {scope}: "
            f"create one with 'narrate keys create --scope {scope}'",
        )
    if collection is not None and not who.reaches(collection):
        raise ApiError(
            403,
            "Forbidden",
            f"the key {who.name!r} is limited to the collections "
            f"{', '.join(who.collections or ())}; {collection!r} is not one of them",
        )
    return who


def _signing_key() -> bytes:
    return secret_in(_settings().data_dir / "link-signing-secret")


def _signature(article_id: str, file: str, expires: int) -> str:
    message = f"{article_id}\n{file}\n{expires}".encode()
    return hmac.new(_signing_key(), message, hashlib.sha256).hexdigest()


def sign_link(
    url: str, article_id: str, file: str, lifetime_s: int = SIGNED_LINK_LIFETIME_S
) -> str:
    """`url` with a signature that lets anyone fetch `file` for `lifetime_s` seconds."""
    expires = int(time.time()) + lifetime_s
    query = urlencode({"expires": expires, "signature": _signature(article_id, file, expires)})
    return f"{url}?{query}"


def signed_for(article_id: str, file: str) -> bool:
    """Whether the request carries an unexpired signature for `file` of the article, or
    the player's grant, which covers everything the player reads (PLAYER_READS)."""
    expires = request.args.get("expires", type=int)
    signature = request.args.get("signature", "")
    if expires is None or expires < time.time():
        return False
    grants = (file, PLAYER_GRANT) if file in PLAYER_READS else (file,)
    return any(
        hmac.compare_digest(_signature(article_id, grant, expires), signature) for grant in grants
    )


def player_signature() -> str:
    """The query string of the request's own player grant, for the player to pass on."""
    return urlencode({k: request.args.get(k, "") for k in ("expires", "signature")})


def client_is_loopback() -> bool:
    """Whether the request comes from this machine (its socket's peer, not a header)."""
    return exposure.is_loopback(request.remote_addr or "")


def _open_only_on_loopback() -> None:
    """With no key at all: the first key over the API only from a loopback client, and
    nothing at all (but health checks) from a server that listens beyond loopback."""
    if request.endpoint in HEALTH_ENDPOINTS or protected():  # health: even without a database
        return
    if request.endpoint == FIRST_KEY_ENDPOINT:
        if not client_is_loopback():
            raise ApiError(
                403,
                "Forbidden",
                "this Narrate has no API key yet; the first one is made from the machine "
                f"itself (a loopback address): {exposure.HOW}",
            )
        return
    exposed = exposure.exposed_hosts(_settings())
    if exposed:
        raise ApiError(
            503,
            "Service unavailable",
            f"this Narrate listens on {', '.join(exposed)} and has no API key, so it "
            f"would be open to anyone; it answers nothing until there is one: {exposure.HOW}",
        )


def init_auth(app: Flask, settings: Settings) -> None:
    @app.before_request
    def _changes_need_the_write_scope() -> None:
        _open_only_on_loopback()
        if request.method in READ_ONLY_METHODS or request.endpoint in OPEN_ENDPOINTS:
            principal()  # a wrong key is refused on reads too
            return
        require("write")
