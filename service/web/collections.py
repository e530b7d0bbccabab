"""/api/v1/collections/NAME: a collection's settings (its feed's title, owner, category,
artwork, its speech style and player branding), read and changed by keys of that
collection (service.security.auth's rule, as for its articles); its images, public
like its feed, at a URL of their own content (workers.catalog.images)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from service.errors import ApiError
from service.intake.submissions import parse_json
from service.links import external_url
from service.security import auth
from service.web.context import catalog, settings, storage
from service.web.stored_files import send_stored
from workers import links
from workers.catalog.collection_fields import FIELDS
from workers.catalog.collections import (
    Collection,
    change_settings,
    find_collection,
    replace_settings,
    set_artwork,
)
from workers.catalog.images import (
    KINDS,
    MIMETYPES,
    checked_image,
    cover_file_name,
    default_cover,
    image_key,
)
from workers.catalog.models import COLLECTION_NAME, COLLECTION_RULE

collections_api = Blueprint("collections", __name__, url_prefix="/api/v1/collections")
INDEX = "player.index"  # the service's own site, a feed's link by default
FOR_EVER_S = 365 * 24 * 3600  # an image's URL names its content: it never changes
SHAPE = f"a JSON object with any of: {', '.join(FIELDS)}"


def _unknown(name: str) -> ApiError:
    return ApiError(
        404,
        "Not found",
        f"there is no collection {name!r}: it has no articles and no settings "
        "(PUT its settings to make it)",
    )


def _named(name: str) -> str:
    if not COLLECTION_NAME.match(name):
        raise ApiError(404, "Not found", f"there is no collection {name!r} ({COLLECTION_RULE})")
    return name


def image_url(name: str, file_name: str) -> str:
    return links.collection_image_link(settings().public_url, name, file_name)


def feed_url(name: str) -> str:
    return external_url("feeds.feed", name=name)


def site_url(found: Collection) -> str:
    """The publisher's site: the collection's link, else this service's own pages."""
    return found.get("link") or external_url(INDEX)


def described(found: Collection) -> dict[str, Any]:
    """The collection as the API shows it: every setting with its default filled in."""
    return {
        "name": found.name,
        "title": found.title,
        "description": found.description,
        "author": found.author,
        "owner_name": found.owner_name,
        "owner_email": found.get("owner_email"),
        "category": found.category,
        "copyright": found.get("copyright"),
        "explicit": found.explicit,
        "link": site_url(found),
        "language": found.language,
        "style": found.get("style"),
        "brand": found.get("brand", {}),
        "locked": found.locked,
        "guid": found.guid(feed_url(found.name)),
        "artwork": {
            "url": image_url(found.name, found.artwork_file),
            "uploaded": found.artwork is not None,
        },
        "articles": found.articles,
        "set": sorted(found.settings),
        "missing": found.missing,
        "links": {
            "self": external_url("collections.show", name=found.name),
            "feed": feed_url(found.name),
        },
    }


def _answer(name: str):
    with catalog() as session:
        found = find_collection(session, name)
    if found is None:
        raise _unknown(name)
    return jsonify(described(found))


@collections_api.get("/<name>")
def show(name: str):
    auth.require("read", _named(name))
    return _answer(name)


@collections_api.route("/<name>", methods=["PUT", "PATCH"])
def change(name: str):
    """PUT replaces every setting (what it leaves out takes its default); PATCH changes
    those it names. Either makes the collection."""
    auth.require("write", _named(name))
    body = parse_json(request.get_data(), SHAPE)
    with catalog() as session:
        (replace_settings if request.method == "PUT" else change_settings)(session, name, body)
    return _answer(name)


@collections_api.put("/<name>/<kind>")
def upload(name: str, kind: str):
    """The collection's artwork or logo: the request's body is the JPEG or PNG."""
    auth.require("write", _named(name))
    if kind not in KINDS:
        raise ApiError(
            404, "Not found", f"a collection has images {', '.join(KINDS)}, not {kind!r}"
        )
    image = checked_image(request.get_data(), kind)
    storage().write_bytes(image_key(name, image.file_name), image.data)
    with catalog() as session:
        if kind == "artwork":
            set_artwork(session, name, image.file_name)
        else:
            change_settings(session, name, {"brand": {"logo": image_url(name, image.file_name)}})
    return _answer(name)


@collections_api.get("/<name>/images/<file_name>")
def image(name: str, file_name: str):
    """An image by its content's name; the default cover is drawn the first time its
    name is asked for."""
    extension = file_name.rpartition(".")[2]
    if extension not in MIMETYPES:
        raise ApiError(404, "Not found", f"there is no image {file_name!r}")
    store, key = storage(), image_key(_named(name), file_name)
    found = store.stat(key)
    if found is None:
        with catalog() as session:
            collection = find_collection(session, name)
        if collection is None or file_name != cover_file_name(collection.title):
            raise ApiError(404, "Not found", f"there is no image {file_name!r} of {name!r}")
        store.write_bytes(key, default_cover(collection.title))
        found = store.stat(key)
        assert found is not None
    response = send_stored(store, key, found, mimetype=MIMETYPES[extension], max_age=FOR_EVER_S)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
