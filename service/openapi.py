"""The OpenAPI document, kept as data in openapi.json beside this module.

Every operation that touches the catalog may answer 503 while the database is
unreachable (service/errors.py); that answer is added here once rather than repeated
in each operation of the JSON file."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).with_name("openapi.json")
WITHOUT_CATALOG = {"/healthz", "/readyz", "/api/v1/openapi.json"}
UNAVAILABLE: dict[str, Any] = {
    "description": "The database is unreachable for the moment; ask again after Retry-After",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


@cache
def document() -> dict:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    for path, operations in spec["paths"].items():
        if path in WITHOUT_CATALOG:
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("503", copy.deepcopy(UNAVAILABLE))
    return spec
