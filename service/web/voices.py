"""GET /api/v1/voices: the voices this deployment can speak in, for submitters to pick."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from service.errors import bad_request
from service.web.context import settings
from workers.pipeline.engines.voices import ENGINES, Voice, installed_voices

voices = Blueprint("voices", __name__, url_prefix="/api/v1")


def listed_voices(engine: str | None = None, language: str | None = None) -> list[Voice]:
    """Installed voices, optionally of one engine and of languages starting `language`."""
    found = installed_voices(settings().piper_voice_dirs)
    if engine:
        found = [v for v in found if v.engine == engine]
    if language:
        wanted = language.lower()
        found = [v for v in found if v.language.lower().startswith(wanted)]
    return found


@voices.get("/voices")
def list_voices():
    engine = request.args.get("engine") or None
    if engine is not None and engine not in ENGINES:
        raise bad_request(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    config = settings()
    return jsonify(
        {
            "default": config.voice,
            "collections": dict(config.collection_voices),
            "voices": [asdict(v) for v in listed_voices(engine, request.args.get("language"))],
        }
    )
