"""Every feed held to what Apple Podcasts and Spotify publish as their requirements, and
to the Podcasting 2.0 namespace, written down here as data; read by feedparser too.

Sources (read for this test):
- Apple, "A Podcaster's Guide to RSS" (https://help.apple.com/itc/podcasts_connect/#/itcb54353390,
  archived at https://github.com/Podcastindex-org/podcast-namespace/blob/main/itunes_reference.md):
  required show tags title, description, itunes:image, language, itunes:category,
  itunes:explicit; recommended itunes:author, link; episode: title and enclosure
  required, guid, pubDate, description, itunes:duration, link, itunes:image,
  itunes:explicit recommended. Artwork 1400-3000 px square, JPEG or PNG with the
  matching extension, RGB; the server answers HEAD. Enclosure types include audio/mpeg;
  length is the file's size in bytes.
- Apple Podcasts categories (https://podcasters.apple.com/support/1691-apple-podcasts-categories).
- Spotify, "Podcast specification doc" (https://support.spotify.com/us/podcasters/article/podcast-specification-doc/,
  the Podcast Delivery Specification, https://docslib.org/doc/6938991/spotify-podcast-delivery-specification):
  RSS 2.0 with the itunes tags; a show needs its title, description, artwork, language,
  category, explicit and an owner e-mail (where Spotify sends the verification code);
  an episode its title, a unique guid, pubDate, description, duration and an MP3
  enclosure with its length.
- Podcasting 2.0 namespace (https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md):
  podcast:transcript (url, type: text/vtt), podcast:chapters (url, type
  application/json+chapters; docs/examples/chapters/jsonChapters.md: version and
  chapters with startTime), podcast:guid (a UUIDv5), podcast:locked (yes or no).
"""

from __future__ import annotations

import io
import json
import re
import uuid
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree
from PIL import Image

from tests.support.harness import run_jobs_in_process

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://listen.example"
NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
# (where, path, who asks for it): a path under the channel or an item must be present
# with text (or, with "@attr", that attribute)
REQUIRED = {
    "channel": [
        ("title", "RSS 2.0, Apple, Spotify"),
        ("link", "RSS 2.0, Apple (recommended)"),
        ("description", "RSS 2.0, Apple, Spotify"),
        ("language", "Apple, Spotify"),
        ("itunes:image/@href", "Apple, Spotify"),
        ("itunes:category/@text", "Apple, Spotify"),
        ("itunes:explicit", "Apple, Spotify"),
        ("itunes:author", "Apple (recommended), Spotify"),
        ("itunes:owner/itunes:email", "Spotify (verification), Apple (recommended)"),
        ("atom:link[@rel='self']/@href", "RSS best practice: the feed's own URL"),
        ("podcast:guid", "Podcasting 2.0 (Apple recommends it)"),
        ("podcast:locked", "Podcasting 2.0 (Apple recommends it)"),
    ],
    "item": [
        ("title", "Apple, Spotify"),
        ("enclosure/@url", "Apple, Spotify"),
        ("enclosure/@length", "Apple, Spotify"),
        ("enclosure/@type", "Apple, Spotify"),
        ("guid", "Apple (recommended), Spotify"),
        ("pubDate", "Apple (recommended), Spotify"),
        ("description", "Apple (recommended), Spotify"),
        ("itunes:duration", "Apple (recommended), Spotify"),
        ("link", "Apple (recommended)"),
        ("itunes:explicit", "Apple (recommended)"),
        ("itunes:image/@href", "Apple (recommended)"),
        ("podcast:transcript/@url", "Podcasting 2.0"),
        ("podcast:chapters/@url", "Podcasting 2.0"),
    ],
}
ARTWORK = {"formats": {"JPEG": ".jpg", "PNG": ".png"}, "mode": "RGB", "pixels": (1400, 3000)}
ENCLOSURE_TYPES = {".mp3": "audio/mpeg"}
TEXT_LIMITS = {"title": 255, "description": 4000}  # Apple: characters / bytes
EXPLICIT = {"true", "false"}
LOCKED = {"yes", "no"}
TRANSCRIPT_TYPES = {"text/vtt"}
CHAPTERS_TYPE = "application/json+chapters"

ENGLISH = "\n\n".join(
    [
        "Harbour wall to be rebuilt after storm",
        "The council agreed on Tuesday to rebuild the harbour wall damaged in the storm.",
        "What happens next",
        "Work will start in the spring and is expected to last eight months.",
    ]
)
FRENCH = "\n\n".join(
    [
        "Le mur du port sera reconstruit",
        "Le conseil municipal a décidé mardi de reconstruire le mur du port endommagé "
        "par la tempête de la semaine dernière.",
        "Les travaux commenceront au printemps et devraient durer huit mois selon la mairie.",
    ]
)


def _get(client, url: str, **kwargs):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_URL, url  # links from the public URL
    return client.get(parts.path, query_string=parts.query, **kwargs)


def _found(element, path: str) -> str | None:
    path, _, attribute = path.partition("/@")
    found = element.find(path, NAMESPACES) if path else element
    if found is None:
        return None
    value = found.get(attribute) if attribute else found.text
    return value.strip() if value and value.strip() else None


def violations(client, name: str) -> list[str]:
    """Everything in /feeds/NAME.xml that breaks a requirement written above."""
    answer = client.get(f"/feeds/{name}.xml")
    assert answer.status_code == 200 and answer.mimetype == "application/rss+xml"
    body, wrong = answer.data, []
    rss = etree.fromstring(body)  # well-formed, or this raises
    for prefix, uri in NAMESPACES.items():
        if f'xmlns:{prefix}="{uri}"'.encode() not in body:
            wrong.append(f"the {prefix} namespace is not declared as {uri}")
    if rss.tag != "rss" or rss.get("version") != "2.0" or len(rss.findall("channel")) != 1:
        wrong.append("not RSS 2.0: <rss version='2.0'> with one <channel>")
        return wrong
    channel = rss.find("channel")
    for where, element in [("channel", channel), *(("item", i) for i in channel.iterfind("item"))]:
        for path, who in REQUIRED[where]:
            if _found(element, path) is None:
                wrong.append(f"{where} has no {path} ({who})")
        for tag, limit in TEXT_LIMITS.items():
            if len((_found(element, tag) or "").encode()) > limit:
                wrong.append(f"{where} {tag} is over {limit}")
        if _found(element, "itunes:explicit") not in EXPLICIT:
            wrong.append(f"{where} itunes:explicit is not true or false")
    wrong += _channel_violations(client, channel, name)
    guids = [_found(i, "guid") for i in channel.iterfind("item")]
    enclosures = [_found(i, "enclosure/@url") for i in channel.iterfind("item")]
    if len(set(guids)) != len(guids) or len(set(enclosures)) != len(enclosures):
        wrong.append("guids and enclosure URLs are not unique")
    for item in channel.iterfind("item"):
        wrong += _item_violations(client, item)
    parsed = feedparser.parse(body)
    if parsed.bozo:
        wrong.append(f"feedparser: {parsed.bozo_exception}")
    return wrong


def _channel_violations(client, channel, name: str) -> list[str]:
    wrong = []
    self_link = _found(channel, "atom:link[@rel='self']/@href")
    if self_link != f"{PUBLIC_URL}/feeds/{name}.xml":
        wrong.append(f"atom:link self is {self_link}")
    if _found(channel, "link") == f"{PUBLIC_URL}/feeds/{name}.xml":
        wrong.append("the channel's link is the feed itself, not the publisher's site")
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", _found(channel, "language") or ""):
        wrong.append("language is not an ISO 639 code")
    if _found(channel, "podcast:locked") not in LOCKED:
        wrong.append("podcast:locked is not yes or no")
    if uuid.UUID(_found(channel, "podcast:guid") or "0" * 32).version != 5:
        wrong.append("podcast:guid is not a UUIDv5")
    artwork = _found(channel, "itunes:image/@href")
    if artwork is None:
        return wrong  # reported as missing
    image = _get(client, artwork)
    if image.status_code != 200 or _get(client, artwork, method="HEAD").status_code != 200:
        return [*wrong, f"the artwork {artwork} does not answer GET and HEAD"]
    with Image.open(io.BytesIO(image.data)) as drawn:
        low, high = ARTWORK["pixels"]
        width, height = drawn.size
        if drawn.format not in ARTWORK["formats"] or drawn.mode != ARTWORK["mode"]:
            wrong.append(f"the artwork is {drawn.format} {drawn.mode}")
        elif not artwork.endswith(ARTWORK["formats"][drawn.format]):
            wrong.append(f"the artwork's URL does not end as a {drawn.format} does")
        if width != height or not low <= width <= high:
            wrong.append(f"the artwork is {width}x{height} px")
    return wrong


def _item_violations(client, item) -> list[str]:
    wrong = []
    title = _found(item, "title")
    if "/api/" in (_found(item, "link") or ""):
        wrong.append(f"{title}: its link is the JSON API, not a page a listener can read")
    url = _found(item, "enclosure/@url") or ""
    extension = "." + urlsplit(url).path.rpartition(".")[2]
    if _found(item, "enclosure/@type") != ENCLOSURE_TYPES.get(extension):
        wrong.append(f"{title}: enclosure type is not that of a {extension} file")
    audio = _get(client, url)
    if audio.status_code != 200 or str(len(audio.data)) != _found(item, "enclosure/@length"):
        wrong.append(f"{title}: enclosure length is not the file's size")
    parsedate_to_datetime(_found(item, "pubDate"))  # RFC 2822, or this raises
    transcript = item.find("podcast:transcript", NAMESPACES)
    chapters = item.find("podcast:chapters", NAMESPACES)
    if transcript is None or chapters is None:
        return wrong  # reported as missing
    if transcript.get("type") not in TRANSCRIPT_TYPES:
        wrong.append(f"{title}: transcript type {transcript.get('type')}")
    captions = _get(client, transcript.get("url"))
    if captions.status_code != 200 or not captions.data.startswith(b"WEBVTT"):
        wrong.append(f"{title}: the transcript is not WebVTT")
    answer = _get(client, chapters.get("url"))
    if chapters.get("type") != CHAPTERS_TYPE or answer.mimetype != CHAPTERS_TYPE:
        wrong.append(f"{title}: chapters are not served as {CHAPTERS_TYPE}")
    document = json.loads(answer.data)
    starts = [c["startTime"] for c in document["chapters"]]
    if "version" not in document or not starts or starts != sorted(starts):
        wrong.append(f"{title}: chapters are not Podcasting 2.0 JSON chapters")
    return wrong


@pytest.fixture
def public_client(settings):
    from service.app import create_app

    configured = settings.with_overrides(public_url=PUBLIC_URL)
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": configured})
    return app.test_client(), configured


def test_every_feed_meets_apple_spotify_and_podcasting_2_requirements(public_client, tmp_path):
    client, settings = public_client
    posts = [
        ("news", ENGLISH, "https://news.example/harbour"),
        ("news", FRENCH, None),
        ("actualites", FRENCH.replace("mardi", "lundi"), None),
    ]
    for collection, text, source in posts:
        body = {"text": text, "collection": collection, "visibility": "public"}
        answer = client.post("/api/v1/articles", json={**body, "source_url": source})
        assert answer.status_code == 202, answer.get_json()
    run_jobs_in_process(settings, tmp_path)
    news = {
        "title": "Harbour Gazette",
        "description": "The Harbour Gazette's stories, read aloud.",
        "author": "Harbour Gazette",
        "owner_name": "Newsdesk",
        "owner_email": "podcasts@news.example",
        "category": "News > Daily News",
        "copyright": "© Harbour Gazette",
        "link": "https://news.example/",
        "language": "en-gb",  # one English and one French article: the setting decides
    }
    assert client.put("/api/v1/collections/news", json=news).status_code == 200
    for name in ("news", "all"):
        client.patch(f"/api/v1/collections/{name}", json={"owner_email": "desk@news.example"})
    assert violations(client, "news") == []
    assert violations(client, "all") == []
    # unset, the owner e-mail is what is missing, and the collection says so
    assert violations(client, "actualites") == [
        "channel has no itunes:owner/itunes:email (Spotify (verification), Apple (recommended))"
    ]
    assert client.get("/api/v1/collections/actualites").get_json()["missing"] == ["owner_email"]

    french = etree.fromstring(client.get("/feeds/actualites.xml").data).find("channel")
    assert french.findtext("language") == "fr"  # from its articles
    assert french.findtext("title") == "Narrate: actualites"
    channel = etree.fromstring(client.get("/feeds/news.xml").data).find("channel")
    assert channel.findtext("title") == "Harbour Gazette"
    assert channel.findtext("language") == "en-gb"
    assert channel.findtext("link") == "https://news.example/"
    assert channel.find("itunes:category/itunes:category", NAMESPACES).get("text") == "Daily News"
    items = {i.findtext("title"): i for i in channel.iterfind("item")}
    english = items["Harbour wall to be rebuilt after storm"]
    assert english.findtext("link") == "https://news.example/harbour"  # its source_url
    # the French one in an English feed says so; its link is its page here
    other = items["Le mur du port sera reconstruit"]
    assert other.findtext("{http://purl.org/dc/elements/1.1/}language") == "fr"
    assert other.find("podcast:transcript", NAMESPACES).get("language") == "fr"
    assert other.findtext("link").startswith(f"{PUBLIC_URL}/articles/")
    assert english.find("{http://purl.org/dc/elements/1.1/}language") is None
    chapters = _get(client, english.find("podcast:chapters", NAMESPACES).get("url")).get_json(
        force=True
    )
    assert [c["title"] for c in chapters["chapters"]] == [
        "Harbour wall to be rebuilt after storm",
        "What happens next",
    ]
    assert chapters["chapters"][1]["startTime"] > 0


def test_a_feed_answers_304_to_a_client_that_has_it_and_404_when_unknown(
    client, settings, tmp_path
):
    client.post("/api/v1/articles", json={"text": ENGLISH, "visibility": "public"})
    run_jobs_in_process(settings, tmp_path)
    first = client.get("/feeds/all.xml")
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/feeds/all.xml", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/all.xml", headers={"If-Modified-Since": modified}).status_code == 304
    client.patch("/api/v1/collections/all", json={"title": "Everything"})
    again = client.get("/feeds/all.xml", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert feedparser.parse(again.data).feed.title == "Everything"
    assert client.get("/feeds/nothing-here.xml").status_code == 404
    assert client.get("/feeds/Bad%20Name.xml").status_code == 404


def test_the_collections_brand_logo_is_the_feeds_channel_image(public_client, tmp_path):
    client, settings = public_client
    body = {"text": ENGLISH, "collection": "news", "visibility": "public"}
    assert client.post("/api/v1/articles", json=body).status_code == 202
    run_jobs_in_process(settings, tmp_path)

    def channel_images() -> tuple[str, str]:
        channel = etree.fromstring(client.get("/feeds/news.xml").data).find("channel")
        return channel.findtext("image/url"), channel.find("itunes:image", NAMESPACES).get("href")

    rss_image, artwork = channel_images()
    assert rss_image == artwork  # no brand: the artwork is the channel's image too
    logo = "https://news.example/logo.png"
    assert (
        client.patch("/api/v1/collections/news", json={"brand": {"logo": logo}}).status_code == 200
    )
    assert channel_images() == (logo, artwork)  # podcast apps keep the square artwork
