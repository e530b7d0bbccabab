"""The OpenAPI document, kept as data in openapi.json beside this module."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SPEC = Path(__file__).with_name("openapi.json")


@cache
def document() -> dict:
    return json.loads(SPEC.read_text(encoding="utf-8"))
