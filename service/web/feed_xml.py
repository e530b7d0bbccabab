"""A podcast feed's XML: RSS 2.0 with the itunes, Podcasting 2.0 and Atom namespaces,
as Apple Podcasts and Spotify read it (tests/integration/test_feed_requirements.py holds
it to their published requirements). Characters XML cannot carry are left out, so one
stored title never makes the whole feed unreadable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from service.intake.sanitize import xml_text
from workers.catalog.collections import Collection

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM), ("dc", DC)):
    ET.register_namespace(_prefix, _uri)
CHAPTERS_TYPE = "application/json+chapters"


@dataclass(frozen=True)
class Channel:
    collection: Collection
    feed_url: str
    site_url: str
    artwork_url: str


@dataclass(frozen=True)
class Episode:
    guid: str
    title: str
    summary: str
    byline: str | None
    link: str
    published: datetime  # naive UTC, as stored
    audio_url: str
    audio_bytes: int
    duration_ms: int
    language: str | None  # ISO 639-1, as detected
    captions_url: str
    chapters_url: str


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = xml_text(value)
    return element


def _hms(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _channel(rss: ET.Element, about: Channel) -> ET.Element:
    found = about.collection
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", found.title)
    _text(channel, "link", about.site_url)
    ET.SubElement(
        channel,
        f"{{{ATOM}}}link",
        {"href": about.feed_url, "rel": "self", "type": "application/rss+xml"},
    )
    _text(channel, "description", found.description)
    _text(channel, "language", found.language)
    if found.get("copyright"):
        _text(channel, "copyright", found.get("copyright"))
    image = ET.SubElement(channel, "image")  # RSS's own channel image: the brand's logo
    _text(image, "url", (found.get("brand") or {}).get("logo") or about.artwork_url)
    _text(image, "title", found.title)
    _text(image, "link", about.site_url)
    ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": about.artwork_url})
    _text(channel, f"{{{ITUNES}}}author", found.author)
    email = found.get("owner_email")
    if email:
        owner = ET.SubElement(channel, f"{{{ITUNES}}}owner")
        _text(owner, f"{{{ITUNES}}}name", found.owner_name)
        _text(owner, f"{{{ITUNES}}}email", email)
    category, *sub = found.category
    parent = ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": category})
    if sub:
        ET.SubElement(parent, f"{{{ITUNES}}}category", {"text": sub[0]})
    _text(channel, f"{{{ITUNES}}}explicit", "true" if found.explicit else "false")
    _text(channel, f"{{{ITUNES}}}type", "episodic")
    _text(channel, f"{{{PODCAST}}}guid", found.guid(about.feed_url))
    owner_attribute = {"owner": email} if email else {}
    _text(channel, f"{{{PODCAST}}}locked", "yes" if found.locked else "no", **owner_attribute)
    return channel


def _item(channel: ET.Element, about: Channel, episode: Episode) -> None:
    item = ET.SubElement(channel, "item")
    _text(item, "title", episode.title)
    _text(item, "link", episode.link)
    _text(item, "guid", episode.guid, isPermaLink="false")
    _text(item, "pubDate", format_datetime(episode.published.replace(tzinfo=UTC), usegmt=True))
    _text(item, "description", episode.summary)
    ET.SubElement(
        item,
        "enclosure",
        {"url": episode.audio_url, "length": str(episode.audio_bytes), "type": "audio/mpeg"},
    )
    _text(item, f"{{{ITUNES}}}duration", _hms(episode.duration_ms))
    if episode.byline:
        _text(item, f"{{{ITUNES}}}author", episode.byline)
    _text(item, f"{{{ITUNES}}}explicit", "true" if about.collection.explicit else "false")
    ET.SubElement(item, f"{{{ITUNES}}}image", {"href": about.artwork_url})
    # an episode in another language than the feed's says so
    language = episode.language or ""
    differs = bool(language) and language != about.collection.language.split("-")[0]
    transcript = {"url": episode.captions_url, "type": "text/vtt", "rel": "captions"}
    if differs:
        transcript["language"] = language
    ET.SubElement(item, f"{{{PODCAST}}}transcript", transcript)
    chapters = {"url": episode.chapters_url, "type": CHAPTERS_TYPE}
    ET.SubElement(item, f"{{{PODCAST}}}chapters", chapters)
    if differs:
        _text(item, f"{{{DC}}}language", language)


def feed_xml(about: Channel, episodes: list[Episode]) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _channel(rss, about)
    for episode in episodes:
        _item(channel, about, episode)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)
