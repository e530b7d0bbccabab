"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify

from service.auth import init_auth
from service.cors import init_cors
from service.errors import register_error_handlers
from service.queue import TaskQueue
from workers.catalog.db import engine_for, migrate
from workers.settings import Settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from the environment; `test_config` may replace them
    (key "NARRATE_SETTINGS") and set any Flask option."""
    app = Flask(__name__)
    app.config.from_prefixed_env("FLASK")
    if test_config:
        app.config.update(test_config)
    settings: Settings = app.config.get("NARRATE_SETTINGS") or Settings.from_env()
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    migrate(settings.database_url)
    app.extensions["narrate.settings"] = settings
    app.extensions["narrate.queue"] = TaskQueue(settings)

    from service.api import api
    from service.batches import batches
    from service.feeds import feeds
    from service.listens import listens_api
    from service.player import player
    from service.playlist import playlist_api
    from service.status import status_api

    for blueprint in (api, batches, feeds, player, status_api, listens_api, playlist_api):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    init_cors(app, settings)
    init_auth(app, settings)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        checks = {
            "database": _database_reachable(settings),
            "broker": app.extensions["narrate.queue"].reachable(),
        }
        ready = all(checks.values())
        body = {"status": "ready" if ready else "unavailable", "checks": checks}
        return jsonify(body), 200 if ready else 503

    return app


def _database_reachable(settings: Settings) -> bool:
    from sqlalchemy import text

    try:
        with engine_for(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
