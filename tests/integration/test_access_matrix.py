"""Who may read what, route by route: every rule of the app's URL map, for a public, an
unlisted and a private article, asked by an anonymous reader, a read key of the article's
collection, a read key of another collection, a read key of every collection, the
article's signed player grant and an expired one, on a protected service. What the grant
opens of a private article shows its paragraph text only where GRANT_SHOWS_TEXT says.

ROUTES says what each route answers (the rule of service.security.access, as the README
documents it). A route missing from ROUTES fails the test: a new route is added there
with its rule. Every answer is also checked for what it names: never an article the
reader may not read, from a list (`/`, the article list, feeds, the playlist) never one
the reader may not see listed, and never a link to the request's forged Host.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.support.harness import run_jobs_in_process
from workers.catalog.db import session_scope
from workers.catalog.keys import create_key

pytestmark = pytest.mark.integration

ADMIN_TOKEN = "matrix-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PUBLIC_URL = "https://listen.example"
VISIBILITIES = ("public", "unlisted", "private")
COLLECTION = "news"
FORGED_HOST = "evil.example"
PRIVATE_TEXT = "All about the private one."


@dataclass(frozen=True)
class Reader:
    name: str
    key: str | None = None  # the name of its read key in the fixture's keys
    collections: tuple[str, ...] | None = None  # its key's collections (None: all)
    grant: str | None = None  # "valid" or "expired": the article's signed player grant

    def reaches(self, collection: str) -> bool:
        return self.key is not None and (self.collections is None or collection in self.collections)

    def reads(self, visibility: str, *, grant: bool = False) -> bool:
        """May it read an article of COLLECTION (`grant`: a route a grant opens)?"""
        if visibility != "private" or self.reaches(COLLECTION):
            return True
        return grant and self.grant == "valid"

    def lists(self, visibility: str, collection: str) -> bool:
        """Does it see the article in a list (`/`, the playlist)? The public ones, and
        every one of its key's collections."""
        return visibility == "public" or self.reaches(collection)


READERS = (
    Reader("anonymous"),
    Reader("news key", key="news", collections=(COLLECTION,)),
    Reader("sport key", key="sport", collections=("sport",)),
    Reader("all key", key="all"),
    Reader("grant", grant="valid"),
    Reader("expired grant", grant="expired"),
)

Expect = Callable[[str | None, Reader], int]


def anyone(status: int = 200) -> Expect:
    return lambda visibility, who: status


def article(*, grant: bool = False, ok: int = 200) -> Expect:
    """An article's route: `ok` to whoever may read it (with the grant, if it opens the
    route), a 404 to anyone else, as if it did not exist."""
    return lambda visibility, who: ok if who.reads(visibility or "", grant=grant) else 404


def change(visibility: str | None, who: Reader) -> int:
    """Every change needs the write scope: none of these readers has it."""
    return 403 if who.key else 401


def read_scope(visibility: str | None, who: Reader) -> int:
    return 200 if who.key else 401


def every_collection(visibility: str | None, who: Reader) -> int:
    """Batches span collections: a read key for all of them."""
    if not who.key:
        return 401
    return 200 if who.collections is None else 403


def admin(visibility: str | None, who: Reader) -> int:
    return 401 if not who.key else 403


def collection_key(visibility: str | None, who: Reader) -> int:
    """A collection's settings: a key that reaches the collection, as for its articles."""
    if not who.key:
        return 401
    return 200 if who.reaches(COLLECTION) else 403


def next_article(visibility: str | None, who: Reader) -> int:
    """The article must be readable (its grant does not open the playlist); then every
    reader sees an older finished one listed, at least the oldest, public one."""
    return 200 if who.reads(visibility or "") else 404


def listen(visibility: str | None, who: Reader) -> int:
    """Beacons are open to readers; never counted for a private article."""
    return 204 if visibility != "private" and who.reads(visibility or "") else 404


A = "/api/v1/articles/<article_id>"
ROUTES: dict[tuple[str, str], Expect] = {
    ("GET", "/"): anyone(),
    ("GET", "/healthz"): anyone(),
    ("GET", "/readyz"): anyone(),
    ("GET", "/embed.js"): anyone(),
    ("GET", "/embed.<version>.js"): anyone(),
    ("GET", "/static/<path:filename>"): anyone(404),  # no static files are served
    ("GET", "/feeds/<name>.xml"): anyone(),
    ("GET", "/api/v1/openapi.json"): anyone(),
    ("GET", "/api/v1/voices"): anyone(),
    ("GET", "/api/v1/lexicon"): anyone(),
    ("GET", "/metrics"): read_scope,
    ("GET", "/api/v1/articles"): read_scope,
    ("GET", A): article(),
    ("GET", A + "/audio.mp3"): article(grant=True),
    ("GET", A + "/timings.json"): article(grant=True),
    ("GET", A + "/captions.vtt"): article(grant=True),
    ("GET", A + "/chapters.json"): article(grant=True),  # the headline and subheadings
    ("GET", A + "/status"): article(grant=True),
    ("GET", A + "/segments.json"): article(grant=True),
    ("GET", A + "/segments/<int:revision>/<int:index>.mp3"): article(grant=True),
    ("GET", A + "/next"): next_article,
    ("GET", A + "/stats"): article(),
    ("POST", A + "/listens"): listen,
    ("GET", "/articles/<article_id>"): article(),
    ("GET", "/player/<article_id>"): article(grant=True),
    ("GET", "/oembed"): article(),  # asked for the article's page URL
    ("GET", "/api/v1/batches/<batch_id>"): every_collection,
    ("GET", "/api/v1/batches/<batch_id>/archive.zip"): every_collection,
    ("GET", "/api/v1/keys"): admin,
    ("GET", "/api/v1/collections/<name>"): collection_key,
    ("GET", "/api/v1/collections/<name>/images/<file_name>"): anyone(),  # a feed's artwork
    ("POST", "/api/v1/articles"): change,
    ("PUT", A): change,
    ("PATCH", A): change,
    ("DELETE", A): change,
    ("PUT", A + "/visibility"): change,
    ("POST", "/api/v1/batches"): change,
    ("DELETE", "/api/v1/batches/<batch_id>"): change,
    ("POST", "/api/v1/check"): change,
    ("PUT", "/api/v1/lexicon"): change,
    ("POST", "/api/v1/keys"): change,
    ("DELETE", "/api/v1/keys/<key_id>"): change,
    ("PUT", "/api/v1/collections/<name>"): change,
    ("PATCH", "/api/v1/collections/<name>"): change,
    ("PUT", "/api/v1/collections/<name>/<kind>"): change,
}
# what the player's grant opens of a private article that carries its paragraph text:
# timings (read-along) and captions (accessibility), and the segments they are read from;
# nothing else the grant opens (status, audio, the player) carries any of it
GRANT_SHOWS_TEXT = {A + "/timings.json", A + "/captions.vtt", A + "/segments.json"}
# answers that list articles: they name none the reader may not see listed
LISTS = {"/", "/api/v1/articles", "/feeds/<name>.xml", A + "/next"}
PLACEHOLDER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass
class Newsroom:
    client: object
    keys: dict[str, str]
    key_id: str
    batch_id: str
    ids: dict[str, str]  # visibility under test -> article id
    others: dict[str, tuple[str, str]]  # every article id -> (visibility, collection)
    grants: dict[str, dict[str, dict[str, str]]]  # article id -> "valid"/"expired" -> query


@pytest.fixture
def newsroom(settings, tmp_path) -> Newsroom:
    from service.app import create_app
    from service.security import auth

    configured = settings.with_overrides(api_tokens=(ADMIN_TOKEN,), public_url=PUBLIC_URL)
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": configured})
    client = app.test_client()
    with session_scope(configured.database_url) as session:
        keys = {
            "news": create_key(session, "news reader", "read", [COLLECTION])[1],
            "sport": create_key(session, "sport reader", "read", ["sport"])[1],
            "all": create_key(session, "every reader", "read")[1],
        }
        spare, _ = create_key(session, "spare", "read")
        key_id = spare.id
    ids, others = {}, {}
    # oldest first: the public one the playlist falls back on, then the three under test,
    # the public one newest, so that its playlist passes the unlisted and private ones
    order = (("oldest", "public"), ("private", "private"), ("unlisted", "unlisted"))
    for name, visibility in (*order, ("public", "public")):
        posted = client.post(
            "/api/v1/articles",
            json={
                "title": f"The {name} article",
                "text": PRIVATE_TEXT if name == "private" else f"All about the {name} one.",
                "collection": COLLECTION,
                "visibility": visibility,
            },
            headers=ADMIN,
        )
        assert posted.status_code == 202, posted.get_json()
        ids[name] = posted.get_json()["id"]
        others[ids[name]] = (visibility, COLLECTION)
    batch = client.post(
        "/api/v1/batches", json=[{"title": "Batched", "text": "A batched one."}], headers=ADMIN
    ).get_json()
    for item in batch["items"] or []:
        others[item["id"]] = ("unlisted", "default")
    run_jobs_in_process(configured, tmp_path)
    got = client.get(f"/api/v1/batches/{batch['id']}", headers=ADMIN).get_json()
    others.update({item["id"]: ("unlisted", "default") for item in got["items"]})
    grants = {}
    with app.test_request_context():
        for article_id in others:
            grants[article_id] = {
                name: _query(auth.sign_link("", article_id, auth.PLAYER_GRANT, lifetime_s))
                for name, lifetime_s in (("valid", 600), ("expired", -60))
            }
    return Newsroom(client, keys, key_id, batch["id"], ids, others, grants)


def _query(signed: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in signed.lstrip("?").split("&"))


def _path(rule: str, room: Newsroom, article_id: str) -> tuple[str, dict[str, str]]:
    from service.web.player import embed_script
    from workers.catalog.images import cover_file_name

    values = {
        "article_id": article_id,
        "batch_id": room.batch_id,
        "key_id": room.key_id,
        "revision": "1",
        "index": "0",
        "version": embed_script.version(),
        "name": COLLECTION,
        "filename": "narrate.css",
        "kind": "artwork",
        "file_name": cover_file_name(f"Narrate: {COLLECTION}"),  # its default cover
    }
    path = PLACEHOLDER.sub(lambda m: values[m.group(1)], rule)
    query = {"url": f"{PUBLIC_URL}/articles/{article_id}"} if rule == "/oembed" else {}
    return path, query


def _ask(room: Newsroom, method: str, rule: str, article_id: str, who: Reader):
    path, query = _path(rule, room, article_id)
    headers = {"Host": FORGED_HOST}  # links come from the public URL only
    if who.key:
        headers["Authorization"] = f"Bearer {room.keys[who.key]}"
    if who.grant:
        query = {**query, **room.grants[article_id][who.grant]}
    body = b'{"play": true, "seconds": 3}' if rule.endswith("/listens") else b"{}"
    return room.client.open(  # type: ignore[attr-defined]
        path,
        method=method,
        query_string=query,
        headers=headers,
        data=body,
        content_type="text/plain" if rule.endswith("/listens") else "application/json",
    )


def _named_wrongly(
    room: Newsroom, rule: str, article_id: str | None, who: Reader, data: bytes
) -> list[str]:
    """The ids in the answer of articles the reader may not read, or (from a list) may
    not see listed; the route's own article aside."""
    wrong = []
    for other, (visibility, collection) in room.others.items():
        if other == article_id or other.encode() not in data:
            continue
        readable = visibility != "private" or who.reaches(collection)
        listed = who.lists(visibility, collection)
        if rule == "/feeds/<name>.xml":  # a feed is for anyone: public articles only
            listed = visibility == "public"
        if rule == "/api/v1/articles":  # a key's own: the articles of its collections
            listed = who.reaches(collection)
        if not readable or (rule in LISTS and not listed):
            wrong.append(f"{visibility} {other}")
    return wrong


def test_every_route_answers_every_reader_by_the_access_rule(newsroom):
    room = newsroom
    app = room.client.application  # type: ignore[attr-defined]
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    unknown = sorted(routes - set(ROUTES))
    assert not unknown, f"routes without an access rule: add them to ROUTES: {unknown}"
    assert not set(ROUTES) - routes, f"ROUTES names routes the app has not: {set(ROUTES) - routes}"
    private_id = room.ids["private"]
    failures = []
    for (method, rule), expect in sorted(ROUTES.items()):
        cases = VISIBILITIES if "<article_id>" in rule or rule == "/oembed" else (None,)
        for visibility in cases:
            article_id = room.ids[visibility] if visibility else private_id
            for who in READERS:
                answer = _ask(room, method, rule, article_id, who)
                wanted = expect(visibility, who)
                where = f"{method} {rule} [{visibility or '-'}] as {who.name}"
                if answer.status_code != wanted:
                    failures.append(f"{where}: {answer.status_code}, documented {wanted}")
                own = article_id if visibility else None
                named = _named_wrongly(room, rule, own, who, answer.get_data())
                if named:
                    failures.append(f"{where}: names {', '.join(named)}")
                if FORGED_HOST.encode() in answer.get_data() + str(answer.headers).encode():
                    failures.append(f"{where}: a link to the Host header's {FORGED_HOST}")
                if who.grant and visibility == "private" and answer.status_code < 300:
                    shows = PRIVATE_TEXT.encode() in answer.get_data()
                    if shows != (rule in GRANT_SHOWS_TEXT):
                        says = "shows" if shows else "does not show"
                        failures.append(f"{where}: {says} the paragraph text (GRANT_SHOWS_TEXT)")
    assert not failures, "\n".join(failures)


def test_an_open_service_reads_and_lists_a_private_article_for_anyone(client, settings, tmp_path):
    posted = client.post(
        "/api/v1/articles",
        json={"title": "Hidden", "text": "Quiet.", "visibility": "private"},
    ).get_json()
    run_jobs_in_process(settings, tmp_path)
    base = f"/api/v1/articles/{posted['id']}"
    for path in (base, base + "/audio.mp3", base + "/stats", f"/articles/{posted['id']}"):
        assert client.get(path).status_code == 200, path
    assert posted["id"] in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/articles").get_json()["total"] == 1
