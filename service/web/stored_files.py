"""A stored file as an HTTP response, from either storage backend, with ETag,
If-None-Match and Range (206) handled by werkzeug.

The body is streamed from `Storage.open_reader`, which is seekable: a Range is read
from its first byte (on S3, by a ranged GET), and no more than a buffer is held.
Files in a bucket are served through the service rather than by a redirect to a
presigned URL, so the visibility and signed-link checks, the read limits and the same
headers apply to every byte, and the bucket needs no address a listener can reach.
"""

from __future__ import annotations

from flask import request, send_file
from werkzeug import Response
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from workers.storage.base import Stat, Storage


def send_stored(
    store: Storage,
    key: str,
    found: Stat,
    *,
    mimetype: str,
    max_age: int,
    download_name: str | None = None,
    as_attachment: bool = False,
) -> Response:
    reader = store.open_reader(key)
    response = send_file(
        reader,
        mimetype=mimetype,
        conditional=False,  # made conditional below, once the length is known
        etag=found.etag,
        last_modified=found.modified,
        download_name=download_name,
        as_attachment=as_attachment,
        max_age=max_age,
    )
    response.content_length = found.size
    try:
        return response.make_conditional(
            request.environ, accept_ranges=True, complete_length=found.size
        )
    except RequestedRangeNotSatisfiable:
        reader.close()
        raise
