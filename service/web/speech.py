"""The speech endpoints of /api/v1: the pronunciation lexicon and the pre-flight check."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from service.errors import ApiError, bad_request
from service.intake.submissions import parse_json, read_submission
from service.web.context import catalog, settings
from workers.catalog.collections import collection_setting
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.speaking import lexicon_for, style_for
from workers.pipeline.speech.check import check
from workers.pipeline.speech.lexicon import (
    Lexicon,
    check_collection,
    entry_from_json,
    load,
    parse_tsv,
    save,
)

speech = Blueprint("speech", __name__, url_prefix="/api/v1")


def _body(lexicon: Lexicon) -> dict:
    return {"count": len(lexicon), "entries": [e.as_json() for e in lexicon.entries]}


@speech.get("/lexicon")
def get_lexicon():
    lexicon = load(settings().lexicon_path)
    collection = request.args.get("collection")
    if collection:
        lexicon = lexicon.for_collection(check_collection(collection))
    return jsonify(_body(lexicon))


@speech.put("/lexicon")
def put_lexicon():
    """Replace the whole lexicon: JSON {"entries": [...]}, or the lexicon.tsv format."""
    if request.mimetype in ("text/tab-separated-values", "text/plain"):
        try:
            text = request.get_data().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise bad_request("the lexicon is not UTF-8 text; re-encode it as UTF-8") from None
        lexicon = parse_tsv(text, "the request body")
    elif request.mimetype == "application/json":
        body = parse_json(request.get_data(), '{"entries": [...]}', "the lexicon")
        entries = body.get("entries") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise bad_request(
                'send {"entries": [{"word": ..., "say": ..., "case_sensitive": false, '
                '"collection": null}, ...]}; an empty list clears the lexicon'
            )
        lexicon = Lexicon(entry_from_json(item, f"entries[{i}]") for i, item in enumerate(entries))
    else:
        raise ApiError(
            415,
            "Unsupported media type",
            f"Content-Type {request.mimetype or '(none)'} is not accepted; send "
            "application/json or text/tab-separated-values",
        )
    save(settings().lexicon_path, lexicon)
    return jsonify(_body(lexicon))


@speech.post("/check")
def check_article():
    """The article's risky tokens, with its collection's lexicon; nothing is stored."""
    submission = read_submission(request)
    article = clean(submission.raw, format=submission.format)
    config = settings()
    lexicon = lexicon_for(config.lexicon_path, submission.collection)
    voice = config.voice_for(submission.collection, submission.voice)
    with catalog() as session:
        wanted = collection_setting(session, submission.collection, "style")
    style = style_for(voice, submission.style, wanted, config.style)
    risks = check(article.paragraphs, lexicon, style)
    return jsonify(
        {
            "paragraphs": len(article.paragraphs),
            "count": len(risks),
            "risks": [risk.as_json() for risk in risks],
        }
    )
