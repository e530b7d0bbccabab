"""Listening statistics kept on the publisher's own server.

POST /api/v1/articles/<id>/listens takes a player's beacon (sent with
navigator.sendBeacon, so as text/plain JSON, without cookies); GET …/stats reads the
per-day counters back. Beacons are open to readers' browsers like the other reads, even
when API tokens guard changes: they add to counters and touch nothing else.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from service.errors import bad_request
from service.intake.submissions import parse_json
from service.security import access
from service.web.context import catalog, find_article, not_found, positive_arg
from workers.catalog.listens import QUARTILES, Listen, record, stats

listens_api = Blueprint("listens", __name__, url_prefix="/api/v1")
MAX_SECONDS = 600  # a player reports at least every 15 s; more than this is not one report
MAX_BEACON_BYTES = 1024


def parse_listen(raw: bytes) -> Listen:
    """The beacon's JSON: {"play": bool, "seconds": 0-600, "quartiles": [25, 50, 75, 100]}."""
    if len(raw) > MAX_BEACON_BYTES:
        raise bad_request(f"a listening report is at most {MAX_BEACON_BYTES} bytes")
    body = parse_json(
        raw or b"{}", '{"play": true, "seconds": 12, "quartiles": [25]}', "the listening report"
    )
    if not isinstance(body, dict):
        raise bad_request("send a JSON object with play, seconds and quartiles")
    play, seconds, quartiles = (
        body.get("play", False),
        body.get("seconds", 0),
        body.get("quartiles", []),
    )
    if not isinstance(play, bool):
        raise bad_request("play must be true or false")
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= MAX_SECONDS:
        raise bad_request(f"seconds must be a whole number from 0 to {MAX_SECONDS}")
    if not isinstance(quartiles, list) or not set(quartiles) <= set(QUARTILES):
        raise bad_request(f"quartiles must be a list of some of {list(QUARTILES)}")
    return Listen(play=play, seconds=seconds, quartiles=frozenset(quartiles))


@listens_api.post("/articles/<article_id>/listens")
def record_listen(article_id: str):
    listen = parse_listen(request.get_data(cache=False))
    with catalog() as session:
        if not access.counts_listens(find_article(session, article_id)):
            raise not_found(article_id)
        record(session, article_id, listen)
    return "", 204


@listens_api.get("/articles/<article_id>/stats")
def article_stats(article_id: str):
    days = positive_arg("days", 30, 366)
    with catalog() as session:
        find_article(session, article_id)
        return jsonify({"id": article_id, **stats(session, article_id, days)})
