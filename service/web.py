"""Pages and the embeddable player: /, /articles/<id>, /player/<id>, /oembed, /embed.js."""

from __future__ import annotations

from flask import Blueprint

web = Blueprint("web", __name__, template_folder="templates", static_folder="static")
