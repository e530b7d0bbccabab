"""Check a Flask test response against the served OpenAPI document."""

from __future__ import annotations

import jsonschema

from service.openapi import document


def conforms(response, path: str, method: str = "get") -> dict | None:
    """Check a response against the OpenAPI document; return its JSON body."""
    spec = document()
    operation = spec["paths"][path][method]
    declared = operation["responses"].get(str(response.status_code))
    assert declared, f"{method.upper()} {path} may not answer {response.status_code}"
    content = declared.get("content")
    if not content:
        return None
    mimetype = response.mimetype
    assert mimetype in content, f"{mimetype} not declared for {response.status_code}"
    schema = content[mimetype]["schema"]
    if mimetype.endswith("json"):
        body = response.get_json()
        jsonschema.validate(body, {**schema, "components": spec["components"]})
        return body
    return None
