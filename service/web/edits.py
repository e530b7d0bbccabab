"""Editors decide: PATCH /api/v1/articles/<id> with `keep` (removed lines to read after
all) and `drop` (paragraphs to skip) makes a new revision of the current one. Paragraphs
it shares with the last finished revision keep their segments (workers/storage/segments.py), so
only what changed is synthesised."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from service.errors import ApiError, bad_request
from service.intake.submissions import parse_json
from service.security import auth
from service.web.context import RETRY_AFTER_S, catalog, find_article, settings
from service.web.views import summary
from workers.catalog.collections import collection_setting
from workers.catalog.content import Metadata, VoiceOptions
from workers.catalog.models import JobStatus, RevisionRow
from workers.catalog.submit import submit
from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.revise import apply_edits
from workers.pipeline.speaking import speak, style_for
from workers.runtime.saying import revision_saying_key

edits = Blueprint("edits", __name__, url_prefix="/api/v1")
SHAPE = 'a JSON object such as {"keep": [0], "drop": [3], "revision": 1}'
FIELDS = ("keep", "drop", "revision")


def _indexes(body: dict, name: str) -> set[int]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        raise bad_request(f"'{name}' must be a list of whole-number indexes, got {value!r}")
    return set(value)


def article_of(revision: RevisionRow) -> Article:
    """The revision as the pipeline's `Article`, removed lines and all (and the
    paragraphs of a long article a worker has yet to say)."""
    paragraphs = revision.written
    return Article(
        title=paragraphs[0],
        paragraphs=paragraphs,
        byline=revision.byline,
        published=revision.published,
        removed=[Removed(r["text"], r["rule"], r.get("position")) for r in revision.removed],
        language=revision.language,
    )


@edits.patch("/articles/<article_id>")
def edit_article(article_id: str):
    body = parse_json(request.get_data(), SHAPE)
    if not isinstance(body, dict):
        raise bad_request(f"send {SHAPE}")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise bad_request(f"unknown field(s) {', '.join(unknown)}; accepted: {', '.join(FIELDS)}")
    keep, drop = _indexes(body, "keep"), _indexes(body, "drop")
    if not keep and not drop:
        raise bad_request(
            "nothing to change: list removed-line indexes in 'keep' or paragraph indexes in 'drop'"
        )
    with catalog() as session:
        row = find_article(session, article_id)
        auth.require("write", row.collection)
        current: RevisionRow = row.current
        if current.job.status == JobStatus.CLEANING:
            raise ApiError(
                409,
                "Not ready",
                f"revision {current.number} is still being cleaned, so it has no paragraphs "
                "to keep or drop yet; try again shortly",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
        expected = body.get("revision")
        if expected is not None and expected != current.number:
            raise ApiError(
                409,
                "Conflict",
                f"the indexes refer to revision {expected!r}, but the article is at revision "
                f"{current.number}: fetch it again and send indexes for that revision",
            )
        article = apply_edits(article_of(current), keep, drop)
        # the style it was said in (a revision from before styles: as chosen now)
        wanted = collection_setting(session, row.collection, "style")
        style = current.style or style_for(current.voice, None, wanted, settings().style)
        options = VoiceOptions(current.voice, current.rate, current.bitrate_kbps, style)
        metadata = Metadata(
            row.external_id, current.source_url, current.callback_url, row.collection
        )
        before = (
            revision_saying_key(current),
            {p.text: p.spoken for p in current.paragraphs},
        )
        spoken = speak(
            article,
            current.voice,
            settings().lexicon_path,
            row.collection,
            style=style,
            before=before,
        )
        result = submit(
            session,
            article,
            spoken.paragraphs,
            options,
            metadata,
            article_id=row.id,
            lexicon=spoken.lexicon,
            revision=current.number,
        )
        response = jsonify(summary(result.article))
    if result.job_id is not None:
        current_app.extensions["narrate.queue"].convert(result.job_id)
    response.status_code = 202 if result.job_id is not None else 200
    response.headers["Location"] = response.get_json()["links"]["self"]
    return response
