"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, request

from service.availability import Readiness, Schema
from service.errors import register_error_handlers
from service.links import external_url
from service.queue import TaskQueue
from service.security.auth import init_auth
from service.security.cors import init_cors
from service.security.headers import init_headers
from service.security.limits import init_limits
from service.web.metrics import init_metrics, use_multiprocess_dir
from workers.config import Settings
from workers.runtime.logs import configure_logging


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from the environment; `test_config` may replace them
    (key "NARRATE_SETTINGS") and set any Flask option."""
    app = Flask(__name__)
    app.config.from_prefixed_env("FLASK")
    if test_config:
        app.config.update(test_config)
    settings: Settings = app.config.get("NARRATE_SETTINGS") or Settings.from_env()
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    if settings.trusted_hosts:  # other Host headers get a 400
        app.config["TRUSTED_HOSTS"] = list(settings.trusted_hosts)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider's
    configure_logging(settings.log_format)

    use_multiprocess_dir(settings)  # before prometheus_client is first imported
    schema = Schema(settings)
    schema.try_now()  # a database that is away does not stop the process from starting
    app.extensions["narrate.settings"] = settings
    app.extensions["narrate.queue"] = TaskQueue(settings)
    app.extensions["narrate.readiness"] = Readiness(
        settings, schema, app.extensions["narrate.queue"]
    )

    @app.before_request
    def _schema_in_place() -> None:
        if request.endpoint not in ("healthz", "readyz"):
            schema.ensure()  # raises while the database is away: a 503

    from service.web.api import api
    from service.web.batches import batches
    from service.web.collections import collections_api
    from service.web.edits import edits
    from service.web.feeds import feeds
    from service.web.keys import keys_api
    from service.web.listens import listens_api
    from service.web.player import player
    from service.web.playlist import playlist_api
    from service.web.progressive import progressive_api
    from service.web.speech import speech
    from service.web.status import status_api
    from service.web.voices import voices

    blueprints = (api, batches, collections_api, edits, feeds, keys_api, player, speech, voices)
    for blueprint in (*blueprints, status_api, progressive_api, listens_api, playlist_api):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    init_cors(app, settings)
    init_auth(app, settings)
    init_headers(app, settings)
    app.jinja_env.globals["external_url"] = external_url  # pages' absolute links
    init_limits(app, settings)
    init_metrics(app, settings)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        ready, body = app.extensions["narrate.readiness"].answer()
        return jsonify(body), 200 if ready else 503

    return app
