"""Every absolute link to an article, built in one place from NARRATE_PUBLIC_URL (never
from a request's Host header): the API's `links`, webhooks' payloads, feeds, the player's
playlist and segment lists all take theirs from here. The paths are the web routes'
(tests/integration/test_links.py checks each against the app's URL map)."""

from __future__ import annotations

# name -> path under the public URL, with {id} for the article's id
ARTICLE_PATHS = {
    "self": "/api/v1/articles/{id}",
    "status": "/api/v1/articles/{id}/status",
    "audio": "/api/v1/articles/{id}/audio.mp3",
    "timings": "/api/v1/articles/{id}/timings.json",
    "captions": "/api/v1/articles/{id}/captions.vtt",
    "chapters": "/api/v1/articles/{id}/chapters.json",
    "segments": "/api/v1/articles/{id}/segments.json",
    "next": "/api/v1/articles/{id}/next",
    "page": "/articles/{id}",
    "player": "/player/{id}",
}
COLLECTION_IMAGE_PATH = "/api/v1/collections/{name}/images/{file_name}"
SEGMENT_PATH = "/api/v1/articles/{id}/segments/{revision}/{index}.mp3"
# what an article's `links` hold in the API and in webhook payloads
API_LINKS = ("self", "audio", "timings", "captions", "player")


def absolute(public_url: str, path: str) -> str:
    """`path` (from the root) under the public URL."""
    return public_url.rstrip("/") + path


def article_link(public_url: str, article_id: str, name: str) -> str:
    return absolute(public_url, ARTICLE_PATHS[name].format(id=article_id))


def article_links(
    public_url: str, article_id: str, names: tuple[str, ...] = API_LINKS
) -> dict[str, str]:
    """The article's links named `names`, unsigned."""
    return {name: article_link(public_url, article_id, name) for name in names}


def segment_link(public_url: str, article_id: str, revision: int, index: int) -> str:
    return absolute(public_url, SEGMENT_PATH.format(id=article_id, revision=revision, index=index))


def collection_image_link(public_url: str, name: str, file_name: str) -> str:
    """A collection's artwork or logo (workers.catalog.images names the file)."""
    return absolute(public_url, COLLECTION_IMAGE_PATH.format(name=name, file_name=file_name))
